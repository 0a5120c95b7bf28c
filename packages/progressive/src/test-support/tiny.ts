import { registerBlocks } from '@effnet/blocks';
import { createModel, type EffNetModel } from '@effnet/core';
import { registerVariants } from '@effnet/scaling';
import * as tf from '@tensorflow/tfjs-core';
import { TensorDataset } from '../data/tensor-dataset.js';

/** A very small EfficientNetV2-style config (Fused-MBConv, then MBConv with SE) for fast tests. */
export const TINY_ARCH = { blocks: ['r1_k3_s1_e1_i8_o8_c1', 'r1_k3_s2_e2_i8_o16_se0.25'], stemChannels: 8, headChannels: 32, name: 'tiny' };

/** The tiny model with `classes` outputs. */
export function tinyModel(classes = 3, seed = 1, arch: Record<string, unknown> = TINY_ARCH): EffNetModel {
  registerBlocks();
  registerVariants();
  return createModel(arch, { numClasses: classes, seed });
}

/**
 * Images whose class is easy to learn: class c is a bright square in one of the corners (plus
 * noise), 0..255, 1 channel. Deterministic for a seed.
 */
export function cornerImages(n: number, classes = 3, size = 12, seed = 3): { images: tf.Tensor4D; labels: Int32Array } {
  const labels = Int32Array.from({ length: n }, (_, i) => i % classes);
  const images = tf.tidy(() => {
    const noise = tf.mul(tf.randomUniform([n, size, size, 1], 0, 1, 'float32', seed), 60);
    const half = Math.floor(size / 2);
    const masks = Array.from({ length: classes }, (_, c) => {
      const m = new Float32Array(size * size);
      const [r0, c0] = [(c >> 1) % 2 === 0 ? 0 : half, c % 2 === 0 ? 0 : half];
      for (let r = r0; r < r0 + half; r++) for (let q = c0; q < c0 + half; q++) m[r * size + q] = 180;
      return m;
    });
    const base = new Float32Array(n * size * size);
    labels.forEach((y, i) => base.set(masks[y]!, i * size * size));
    return tf.add(tf.tensor4d(base, [n, size, size, 1]), noise) as tf.Tensor4D;
  });
  return { images, labels };
}

/** {@link cornerImages} as a dataset. */
export function cornerDataset(n: number, classes = 3, size = 12, seed = 3): TensorDataset {
  const { images, labels } = cornerImages(n, classes, size, seed);
  const ds = new TensorDataset(images, labels, { numClasses: classes, source: 'corners' });
  images.dispose();
  return ds;
}
