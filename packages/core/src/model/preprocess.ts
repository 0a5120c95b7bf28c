import * as tf from '@tensorflow/tfjs-core';
import type { ArchitectureSpec, Preprocessing } from '../spec/architecture.js';

/**
 * Turns a batch of 0..255 RGB images [B,H,W,3] into model input: resize to the preprocessing
 * size (default: the architecture's evaluation size), then `(x * scale + offset - mean) / std`.
 */
export function preprocessImages(images: tf.Tensor4D, spec: Pick<ArchitectureSpec, 'evalSize' | 'preprocessing'>, size?: number | [number, number]): tf.Tensor4D {
  const p: Preprocessing = spec.preprocessing;
  const target = size ?? p.size ?? spec.evalSize;
  const [h, w] = typeof target === 'number' ? [target, target] : target;
  return tf.tidy(() => {
    let x: tf.Tensor4D = tf.cast(images, 'float32');
    if (x.shape[1] !== h || x.shape[2] !== w) {
      x = p.interpolation === 'nearest' ? tf.image.resizeNearestNeighbor(x, [h, w]) : tf.image.resizeBilinear(x, [h, w], false, true);
    }
    const y = tf.add(tf.mul(x, p.scale), p.offset);
    return tf.div(tf.sub(y, tf.tensor1d(p.mean)), tf.tensor1d(p.std)) as tf.Tensor4D;
  });
}
