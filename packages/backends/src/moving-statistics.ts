import type { EffNetModel } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Moves a BatchNorm layer's moving statistics towards a batch's, on the host:
 * `moving = m * moving + (1 - m) * batch` with the unbiased batch variance. Two reads and two
 * uploads per layer, where the same update as tensor ops costs a dozen kernel launches (which,
 * over the ~30 layers of a small model, cost several milliseconds a step on wasm and tfjs-node).
 */
export function moveStatisticsOnHost(model: EffNetModel, layer: string, mean: ArrayLike<number>, unbiasedVariance: ArrayLike<number>): void {
  const m = model.spec.bnMomentum;
  for (const [name, batch] of [['moving_mean', mean], ['moving_variance', unbiasedVariance]] as const) {
    const v = model.weights.get(`${layer}/${name}`) as tf.Variable;
    const moved = Float32Array.from(v.dataSync() as Float32Array, (x, i) => m * x + (1 - m) * batch[i]!);
    const t = tf.tensor(moved, v.shape, 'float32');
    v.assign(t);
    t.dispose();
  }
}
