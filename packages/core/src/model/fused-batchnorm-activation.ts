import * as tf from '@tensorflow/tfjs-core';
import type { ActivationName } from '../spec/architecture.js';

/** Activations whose derivative the fused op knows. */
export const FUSABLE_ACTIVATIONS: readonly ActivationName[] = ['silu', 'relu', 'linear'];

function activation(u: tf.Tensor, kind: ActivationName): tf.Tensor {
  if (kind === 'silu') return tf.mul(u, tf.sigmoid(u));
  if (kind === 'relu') return tf.relu(u);
  return u;
}

function activationDerivative(u: tf.Tensor, kind: ActivationName): tf.Tensor {
  if (kind === 'silu') {
    const s = tf.sigmoid(u);
    return tf.mul(s, tf.add(1, tf.mul(u, tf.sub(1, s))));
  }
  if (kind === 'relu') return tf.cast(tf.greater(u, 0), 'float32');
  return tf.onesLike(u);
}

/**
 * BatchNorm with batch statistics followed by an activation, as one op with its own gradient:
 * the backward pass keeps only the input and the per-channel mean and inverse deviation, and
 * recomputes the rest, instead of TF.js keeping every intermediate of moments, normalisation and
 * activation. `onStatistics` receives the batch mean and (biased) variance for moving averages.
 */
export function batchNormActivationTraining(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
  kind: ActivationName,
  onStatistics?: (mean: tf.Tensor, variance: tf.Tensor) => void,
): tf.Tensor {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const count = x.size / x.shape[x.rank - 1]!;
  const op = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, g, b, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const { mean, variance } = tf.moments(input, axes);
    onStatistics?.(mean, variance);
    const invStd = tf.rsqrt(tf.add(variance, epsilon));
    const u = tf.add(tf.mul(tf.mul(tf.sub(input, mean), invStd), g), b);
    save([input, mean, invStd, g, b]);
    return {
      value: activation(u, kind),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xs, m, inv, gs, bs] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        const grad = Array.isArray(dy) ? dy[0]! : dy;
        const xhat = tf.mul(tf.sub(xs, m), inv);
        const dz = kind === 'linear' ? grad : tf.mul(grad, activationDerivative(tf.add(tf.mul(xhat, gs), bs), kind));
        const dBeta = tf.sum(dz, axes);
        const dGamma = tf.sum(tf.mul(dz, xhat), axes);
        const dx = tf.mul(tf.mul(gs, tf.div(inv, count)), tf.sub(tf.sub(tf.mul(dz, count), dBeta), tf.mul(xhat, dGamma)));
        return [dx, dGamma, dBeta];
      },
    };
  }) as Parameters<typeof tf.customGrad>[0]);
  return op(x, gamma, beta);
}
