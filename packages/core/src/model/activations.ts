import * as tf from '@tensorflow/tfjs-core';
import type { ActivationName } from '../spec/architecture.js';

/** Applies a named activation. SiLU is `x * sigmoid(x)` (called swish in Keras). */
export function applyActivation<T extends tf.Tensor>(x: T, kind: ActivationName): T {
  switch (kind) {
    case 'silu':
      return tf.mul(x, tf.sigmoid(x));
    case 'relu':
      return tf.relu(x);
    case 'relu6':
      return tf.relu6(x);
    case 'gelu':
      // tanh approximation, as TF's `gelu(approximate=True)`.
      return tf.tidy(() => {
        const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
        return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
      }) as T;
    case 'hard_swish':
      return tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6));
    case 'linear':
      return x;
  }
}
