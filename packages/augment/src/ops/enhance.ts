import * as tf from '@tensorflow/tfjs-core';
import { blend } from './blend.js';
import { grayscale } from './grayscale.js';

/** PIL `ImageEnhance.Color`: blends each image with its grayscale version by `factor` (0 = gray). */
export function color(images: tf.Tensor4D, factors: readonly number[]): tf.Tensor4D {
  return tf.tidy(() => blend(grayscale(images), images, factors));
}

/**
 * PIL `ImageEnhance.Contrast`: blends each image with a flat image at its mean gray level,
 * `int(mean + 0.5)` (0 = flat gray). The official TF code blends with the pixel count / 256
 * instead (a known slip there); we follow PIL.
 */
export function contrast(images: tf.Tensor4D, factors: readonly number[]): tf.Tensor4D {
  return tf.tidy(() => {
    const mean = tf.floor(tf.add(tf.mean(grayscale(images), [1, 2, 3], true), 0.5));
    return blend(mean, images, factors);
  });
}

/** PIL `ImageEnhance.Brightness`: scales each image by `factor` (0 = black). */
export function brightness(images: tf.Tensor4D, factors: readonly number[]): tf.Tensor4D {
  return tf.tidy(() => blend(tf.scalar(0), images, factors));
}

/**
 * PIL's `ImageFilter.SMOOTH` (3×3 kernel [[1,1,1],[1,5,1],[1,1,1]] / 13, rounded), with the
 * one-pixel border kept from the input as PIL does. The sum is an exact integer in float32.
 */
export function smooth(images: tf.Tensor4D): tf.Tensor4D {
  const [, h, w, c] = images.shape;
  if (h < 3 || w < 3) return tf.clone(images);
  return tf.tidy(() => {
    const k = [1, 1, 1, 1, 5, 1, 1, 1, 1].flatMap((v) => new Array<number>(c).fill(v));
    const kernel = tf.tensor4d(k, [3, 3, c, 1]);
    const sums = tf.depthwiseConv2d(images, kernel, 1, 'valid');
    const inner = tf.floor(tf.add(tf.div(sums, 13), 0.5));
    const padded = tf.pad(inner, [[0, 0], [1, 1], [1, 1], [0, 0]]);
    const border = tf.pad(tf.zeros([1, h - 2, w - 2, 1]), [[0, 0], [1, 1], [1, 1], [0, 0]], 1);
    return tf.add(tf.mul(border, images), tf.mul(tf.sub(1, border), padded)) as tf.Tensor4D;
  });
}

/** PIL `ImageEnhance.Sharpness`: blends each image with its smoothed version (0 = smooth, 2 = sharper). */
export function sharpness(images: tf.Tensor4D, factors: readonly number[]): tf.Tensor4D {
  return tf.tidy(() => blend(smooth(images), images, factors));
}
