import * as tf from '@tensorflow/tfjs-core';
import { channelHistograms, exclusiveCumsum } from './histogram.js';
import { channelsFirst, perChannel } from './per-image.js';

/**
 * PIL `ImageOps.equalize`, per image and channel: with `step = (pixels − count of the brightest
 * value) // 255`, value v maps to `(step // 2 + pixels below v) // step`, clipped to 255; a channel
 * with step 0 stays as it is. The lookup runs as one gather over all images and channels.
 */
export function equalize(images: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, c] = images.shape;
  return tf.tidy(() => {
    const below = exclusiveCumsum(channelHistograms(images));
    const planes = channelsFirst(images);
    const brightest = perChannel(tf.max(planes, 2), images.shape);
    // 1 where a pixel holds its channel's brightest value (integers: brightest - x is 0 or >= 1).
    const atBrightest = tf.sum(tf.reshape(channelsFirst(tf.sub(1, tf.clipByValue(tf.sub(brightest, images), 0, 1))), [b * c, h * w]), 1);
    const step = tf.reshape(tf.floor(tf.div(tf.sub(h * w, atBrightest), 255)), [b * c, 1]);
    const noStep = tf.cast(tf.equal(step, 0), 'float32');
    const safeStep = tf.add(step, noStep);
    const mapped = tf.clipByValue(tf.floor(tf.div(tf.add(tf.floor(tf.div(step, 2)), below), safeStep)), 0, 255);
    const identity = tf.range(0, 256, 1, 'float32');
    const lut = tf.add(tf.mul(noStep, identity), tf.mul(tf.sub(1, noStep), mapped));
    const offsets = perChannel(tf.mul(tf.range(0, b * c), 256), images.shape);
    const index = tf.cast(tf.add(images, offsets), 'int32');
    const table = tf.reshape(lut, [b * c * 256]);
    return tf.gather(table, index) as tf.Tensor4D;
  });
}
