import * as tf from '@tensorflow/tfjs-core';

/** What {@link batchNormTraining} returns: the normalised output and the batch statistics. */
export interface BatchNormTrainingResult {
  y: tf.Tensor;
  /** Per-channel batch mean and (biased) variance, for the moving averages; the caller disposes them. */
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

/**
 * BatchNorm with batch statistics over every axis but the last, with a hand-written gradient.
 * Every per-channel reduction is a matrix product with a row of ones (forward and backward),
 * so no backend has to reduce over leading axes or tile per-channel values to the input's shape,
 * which is what `tf.moments` + `tf.batchNorm` and their gradients do (slow on wasm and cpu).
 * Gradient: dx = γ/σ · (dy − mean(dy) − x̂·mean(dy·x̂)), dγ = Σ dy·x̂, dβ = Σ dy.
 */
export function batchNormTraining(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): BatchNormTrainingResult {
  const c = x.shape[x.rank - 1]!;
  const n = x.size / c;
  const stats: { mean?: tf.Tensor1D; variance?: tf.Tensor1D } = {};
  const op = tf.customGrad(((xIn: tf.Tensor, gIn: tf.Tensor, bIn: tf.Tensor, save: tf.GradSaveFunc) => {
    const flat = tf.reshape(xIn as tf.Tensor, [n, c]);
    const average = tf.fill([1, n], 1 / n);
    const mean = tf.matMul(average, flat);
    const centered = tf.sub(flat, mean);
    const variance = tf.matMul(average, tf.square(centered));
    const inv = tf.rsqrt(tf.add(variance, epsilon));
    const xhat = tf.mul(centered, inv);
    const y = tf.add(tf.mul(xhat, gIn), bIn);
    stats.mean = tf.keep(tf.reshape(mean, [c]) as tf.Tensor1D);
    stats.variance = tf.keep(tf.reshape(variance, [c]) as tf.Tensor1D);
    save([xhat, inv]);
    return {
      value: tf.reshape(y, xIn.shape),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, iv] = saved as [tf.Tensor2D, tf.Tensor2D];
        const dyFlat = tf.reshape(dy, [n, c]);
        const ones = tf.ones([1, n]);
        const dBeta = tf.matMul(ones, dyFlat);
        const dGamma = tf.matMul(ones, tf.mul(dyFlat, xh));
        const dxhat = tf.sub(tf.sub(dyFlat, tf.div(dBeta, n)), tf.mul(xh, tf.div(dGamma, n)));
        const dx = tf.mul(dxhat, tf.mul(iv, gIn));
        return [tf.reshape(dx, dy.shape), tf.reshape(dGamma, [c]), tf.reshape(dBeta, [c])];
      },
    };
  }) as unknown as (...args: (tf.Tensor | tf.GradSaveFunc)[]) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[] });
  const y = op(x, gamma, beta) as tf.Tensor;
  return { y, mean: stats.mean!, variance: stats.variance! };
}
