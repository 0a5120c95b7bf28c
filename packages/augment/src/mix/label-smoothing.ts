import { FieldChecker } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';
import type { AugmentationPlugin } from '../plugin.js';

/** Label smoothing: `labels·(1 − ε) + ε / numClasses` on one-hot or soft rows `[B, numClasses]`. */
export function smoothLabels(labels: tf.Tensor2D, epsilon: number): tf.Tensor2D {
  if (epsilon === 0) return tf.clone(labels);
  return tf.tidy(() => tf.add(tf.mul(labels, 1 - epsilon), epsilon / labels.shape[1]));
}

/** Label smoothing alone, as a plugin (images pass through unchanged). */
export const labelSmoothing: AugmentationPlugin<{ epsilon: number }, { epsilon: number }> = {
  name: 'label-smoothing',
  description: 'label smoothing: labels·(1 − ε) + ε / classes',
  resolveOptions: (options) => {
    const check = new FieldChecker(undefined, 'BAD_AUGMENT_OPTION');
    check.onlyKeys(check.object(options ?? {}, 'label-smoothing'), ['epsilon'], 'label-smoothing');
    return { epsilon: check.number(options?.epsilon ?? 0.1, 'label-smoothing.epsilon', { min: 0, max: 1 }) };
  },
  sample: (_batch, _rng, options) => ({ epsilon: options.epsilon }),
  apply: (images) => tf.clone(images),
  applyToLabels: (labels, params) => smoothLabels(labels, params.epsilon),
};
