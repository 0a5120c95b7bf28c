import * as tf from '@tensorflow/tfjs-core';
import { channelsFirst, perChannel } from './per-image.js';

/**
 * PIL `ImageOps.autocontrast` (no cutoff): per image and channel, maps the darkest value to 0 and
 * the brightest to 255 linearly, `floor((x − lo)·255 / (hi − lo))`; a flat channel stays as it is.
 * We compute the exact quotient; PIL evaluates `x·scale + offset` in double precision and, where
 * the exact quotient is a whole number, sometimes lands one below it.
 */
export function autocontrast(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const planes = channelsFirst(images);
    const lo = perChannel(tf.min(planes, 2), images.shape);
    const range = tf.sub(perChannel(tf.max(planes, 2), images.shape), lo);
    const flat = tf.sub(1, tf.clipByValue(range, 0, 1));
    const scaled = tf.floor(tf.div(tf.mul(tf.sub(images, lo), 255), tf.add(range, flat)));
    return tf.add(tf.mul(flat, images), tf.mul(tf.sub(1, flat), tf.clipByValue(scaled, 0, 255))) as tf.Tensor4D;
  });
}
