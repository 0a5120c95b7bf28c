import * as tf from '@tensorflow/tfjs-core';

/**
 * PIL's RGB → L conversion, exactly: `(R·19595 + G·38470 + B·7471 + 32768) >> 16`, as `[B, H, W, 1]`.
 * Computed with a multiply and a sum (no einsum, which the wasm backend lacks); every partial sum
 * stays below 2^24, so float32 holds it exactly.
 */
export function grayscale(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const weights = tf.tensor1d([19595, 38470, 7471]);
    const sum = tf.sum(tf.mul(images, weights), 3, true);
    return tf.floor(tf.div(tf.add(sum, 32768), 65536)) as tf.Tensor4D;
  });
}
