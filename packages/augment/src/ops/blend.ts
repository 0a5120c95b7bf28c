import * as tf from '@tensorflow/tfjs-core';
import { perImage } from './per-image.js';

/**
 * PIL `Image.blend(degenerate, image, factor)`, the core of `ImageEnhance`: in float32,
 * `degenerate + factor·(image − degenerate)`, clipped to 0..255 and truncated to an integer. The
 * operations run in the same order and precision as PIL's C code, so the result matches exactly.
 * `factor` is one number per image; `degenerate` has the shape of `images` (or is a scalar).
 */
export function blend(degenerate: tf.Tensor, images: tf.Tensor4D, factors: readonly number[]): tf.Tensor4D {
  return tf.tidy(() => {
    const mixed = tf.add(degenerate, tf.mul(perImage(factors, images.shape), tf.sub(images, degenerate)));
    return tf.floor(tf.clipByValue(mixed, 0, 255)) as tf.Tensor4D;
  });
}
