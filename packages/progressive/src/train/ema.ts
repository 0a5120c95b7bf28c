import * as tf from '@tensorflow/tfjs-core';

/**
 * Exponential moving average of a flat parameter vector, with TF's `num_updates` warm-up: after
 * n updates the decay is `min(decay, (1 + n) / (10 + n))`, so early averages are not dominated by
 * the random initialisation.
 */
export class ParameterAverage {
  readonly value: tf.Variable;

  constructor(
    initial: tf.Tensor1D,
    readonly decay: number,
  ) {
    this.value = tf.variable(initial, false, `ema-${Math.random().toString(36).slice(2)}`);
  }

  /** The decay used for update number `n` (0-based count of earlier updates). */
  decayAt(n: number): number {
    return Math.min(this.decay, (1 + n) / (10 + n));
  }

  /** Moves the average towards `params`; `n` is the number of updates made before this one. */
  update(params: tf.Tensor1D, n: number): void {
    const d = this.decayAt(n);
    tf.tidy(() => this.value.assign(tf.add(tf.mul(this.value, d), tf.mul(params, 1 - d))));
  }

  dispose(): void {
    this.value.dispose();
  }
}
