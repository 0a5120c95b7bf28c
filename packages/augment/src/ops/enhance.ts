import * as tf from '@tensorflow/tfjs-core';
import { blend } from './blend.js';
import { grayscale } from './grayscale.js';
import { perImage, repeatChannels } from './per-image.js';

/** PIL `ImageEnhance.Color`: blends each image with its grayscale version by `factor` (0 = gray). */
export function color(images: tf.Tensor4D, factors: readonly number[]): tf.Tensor4D {
  return tf.tidy(() => blend(repeatChannels(grayscale(images), images.shape[3]), images, factors));
}

/**
 * PIL `ImageEnhance.Contrast`: blends each image with a flat image at its mean gray level,
 * `int(mean + 0.5)` (0 = flat gray). The official TF code blends with the pixel count / 256
 * instead (a known slip there); we follow PIL.
 */
export function contrast(images: tf.Tensor4D, factors: readonly number[]): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, w] = images.shape;
    const sums = tf.sum(tf.reshape(grayscale(images), [b, h * w]), 1);
    const mean = tf.floor(tf.add(tf.div(sums, h * w), 0.5));
    return blend(perImage(mean, images.shape), images, factors);
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
    const sums = tf.depthwiseConv2d(images, tf.tensor4d(k, [3, 3, c, 1]), 1, 'same');
    const smoothed = tf.floor(tf.add(tf.div(sums, 13), 0.5));
    // A [H, W, C] mask broadcasts over the batch as a trailing shape.
    const border = new Float32Array(h * w * c);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) if (y === 0 || x === 0 || y === h - 1 || x === w - 1) border.fill(1, (y * w + x) * c, (y * w + x + 1) * c);
    }
    const keep = tf.tensor3d(border, [h, w, c]);
    return tf.add(tf.mul(keep, images), tf.mul(tf.sub(1, keep), smoothed)) as tf.Tensor4D;
  });
}

/** PIL `ImageEnhance.Sharpness`: blends each image with its smoothed version (0 = smooth, 2 = sharper). */
export function sharpness(images: tf.Tensor4D, factors: readonly number[]): tf.Tensor4D {
  return tf.tidy(() => blend(smooth(images), images, factors));
}
