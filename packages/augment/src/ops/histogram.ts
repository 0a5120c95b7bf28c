import * as tf from '@tensorflow/tfjs-core';
import { channelsFirst } from './per-image.js';

/** How to count: `bincount` needs the backend's DenseBincount kernel; `one-hot` works on every backend. */
export type HistogramMethod = 'auto' | 'bincount' | 'one-hot';

/**
 * 256-bin histograms of integer pixels, one per image and channel: `[B·C, 256]`. Uses the
 * backend's DenseBincount kernel when it registers one; otherwise each value v = 16·hi + lo
 * becomes two 16-wide one-hot rows, and a batched matrix product of the two counts every
 * (hi, lo) pair (no bincount or segment sums needed).
 */
export function channelHistograms(pixels: tf.Tensor4D, method: HistogramMethod = 'auto'): tf.Tensor2D {
  const [b, h, w, c] = pixels.shape;
  const bincount = method === 'bincount' || (method === 'auto' && tf.getKernel('DenseBincount', tf.getBackend()) !== undefined);
  return tf.tidy(() => {
    const flat = tf.reshape(channelsFirst(pixels), [b * c, h * w]);
    if (bincount) return tf.denseBincount(tf.cast(flat, 'int32') as tf.Tensor2D, tf.tensor2d([], [0, 0], 'float32'), 256);
    const high = tf.floor(tf.div(flat, 16));
    const low = tf.sub(flat, tf.mul(high, 16));
    const oneHot = (t: tf.Tensor) => tf.oneHot(tf.cast(t, 'int32') as tf.Tensor2D, 16, 1, 0, 'float32') as tf.Tensor3D;
    const pairs = tf.matMul(oneHot(high), oneHot(low), true, false);
    return tf.reshape(pairs, [b * c, 256]);
  });
}

/** Running totals before each bin, `out[i] = Σ_{j<i} counts[j]`, as a product with a triangular matrix. */
export function exclusiveCumsum(counts: tf.Tensor2D): tf.Tensor2D {
  const n = counts.shape[1];
  return tf.tidy(() => {
    const upper = new Float32Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) upper[i * n + j] = 1;
    return tf.matMul(counts, tf.tensor2d(upper, [n, n]));
  });
}
