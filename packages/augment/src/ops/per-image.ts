import * as tf from '@tensorflow/tfjs-core';

/** One number per image as a `[B, 1, 1, 1]` float32 tensor, to broadcast over each image. */
export function perImage(values: readonly number[]): tf.Tensor4D {
  return tf.tensor4d(values as number[], [values.length, 1, 1, 1], 'float32');
}

/**
 * Integer pixel values 0..255 as float32, the way an 8-bit image holds them: clips to 0..255
 * and drops the fraction (the official pipeline's cast to uint8 does the same).
 */
export function toPixels(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.floor(tf.clipByValue(tf.cast(images, 'float32'), 0, 255)));
}

/** Keeps `images` where `mask` is 0 and puts `value` where it is 1 (exact for integer pixels). */
export function fillWhere(images: tf.Tensor4D, mask: tf.Tensor, value: number): tf.Tensor4D {
  return tf.tidy(() => tf.add(tf.mul(images, tf.sub(1, mask)), tf.mul(mask, value)));
}
