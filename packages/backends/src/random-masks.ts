import * as tf from '@tensorflow/tfjs-core';

/**
 * A random mask's values as the eager pass makes them, computed here instead of by a chain of
 * backend ops: TF.js's seeded uniform noise `u` (the same draw as `tf.randomUniform(shape, 0, 1,
 * 'float32', seed)`), then
 * - `keep`: floor(rate + u) (a stochastic-depth mask; `rate` is the probability of keeping);
 * - `keep-scaled`: floor(rate + u) / rate;
 * - `dropout`: floor(u + (1 - rate)) / (1 - rate), TF.js's `tf.dropout` multiplier (`rate` drops).
 * Every step is rounded to float32 as TF.js's float32 kernels round it: one addition or division
 * done in double precision and rounded once to float32 is the correctly rounded float32 result.
 */
export function maskValues(kind: 'keep' | 'keep-scaled' | 'dropout', rate: number, shape: readonly number[], seed: number): Float32Array {
  const noise = tf.tidy(() => tf.randomUniform([...shape], 0, 1, 'float32', seed).dataSync() as Float32Array);
  const out = noise instanceof Float32Array ? noise : Float32Array.from(noise);
  const p = Math.fround(kind === 'dropout' ? 1 - rate : rate);
  for (let i = 0; i < out.length; i++) {
    const kept = Math.floor(Math.fround(out[i]! + p));
    out[i] = kind === 'keep' ? kept : Math.fround(kept / p);
  }
  return out;
}
