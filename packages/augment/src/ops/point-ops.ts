import * as tf from '@tensorflow/tfjs-core';
import { lessInt, perImage } from './per-image.js';

/** PIL `ImageOps.invert`: 255 − x. */
export function invert(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.sub(255, images));
}

/**
 * PIL `ImageOps.posterize`: keeps the top `bits` bits of each 8-bit value (one count per image;
 * 0 gives black, 8 or more leaves the image as it is).
 */
export function posterize(images: tf.Tensor4D, bits: readonly number[]): tf.Tensor4D {
  return tf.tidy(() => {
    const step = perImage(bits.map((b) => 2 ** (8 - Math.min(8, Math.max(0, Math.trunc(b))))), images.shape);
    return tf.mul(tf.floor(tf.div(images, step)), step);
  });
}

/** PIL `ImageOps.solarize`: values at or above the image's threshold become 255 − x. */
export function solarize(images: tf.Tensor4D, thresholds: readonly number[]): tf.Tensor4D {
  return tf.tidy(() => {
    const below = lessInt(images, perImage(thresholds.map(Math.ceil), images.shape));
    // x where below, 255 - x elsewhere; exact on integers.
    return tf.add(tf.mul(below, images), tf.mul(tf.sub(1, below), tf.sub(255, images)));
  });
}

/**
 * The official SolarizeAdd: adds the image's `addition` to values below `threshold` (128),
 * clipped to 255; values at or above the threshold stay.
 */
export function solarizeAdd(images: tf.Tensor4D, additions: readonly number[], threshold = 128): tf.Tensor4D {
  return tf.tidy(() => {
    const below = lessInt(images, Math.ceil(threshold));
    const added = tf.clipByValue(tf.add(images, perImage(additions, images.shape)), 0, 255);
    return tf.add(tf.mul(below, added), tf.mul(tf.sub(1, below), images));
  });
}
