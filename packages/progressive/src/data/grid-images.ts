import * as tf from '@tensorflow/tfjs-core';

/**
 * A `[n, h, w, 1 or 3]` batch as `[n, size, size, 3]`: bilinear resize (half-pixel centres, as
 * TF's and PIL's resize) when the size differs, and 1 channel replicated to 3.
 */
export function squareRgb(x: tf.Tensor4D, size: number): tf.Tensor4D {
  return tf.tidy(() => {
    let y = x;
    if (y.shape[1] !== size || y.shape[2] !== size) y = tf.image.resizeBilinear(y, [size, size], false, true);
    if (y.shape[3] === 1) y = tf.tile(y, [1, 1, 1, 3]);
    return y === x ? tf.clone(x) : y;
  });
}

/** Raw 0..255 pixels `[n, h, w, channels]` to a `[n, size, size, 3]` float32 batch (see {@link squareRgb}). */
export function pixelsToBatch(pixels: Uint8Array | Float32Array, shape: [number, number, number, number], size: number): tf.Tensor4D {
  return tf.tidy(() => squareRgb(tf.tensor4d(pixels instanceof Float32Array ? pixels : Float32Array.from(pixels), shape), size));
}
