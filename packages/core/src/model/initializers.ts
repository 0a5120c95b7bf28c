import * as tf from '@tensorflow/tfjs-core';
import type { WeightDecl } from './layer-ops.js';

/**
 * Initial value of a weight, following the official EfficientNetV2 code: convolutions
 * N(0, sqrt(2 / fan_out)) with fan_out = kh * kw * out (out = 1 for depthwise), dense
 * U(-1/sqrt(out), 1/sqrt(out)), biases and BatchNorm beta and mean 0, gamma and variance 1.
 */
export function initialValue(decl: WeightDecl, seed: number): tf.Tensor {
  const s = decl.shape;
  switch (decl.kind) {
    case 'conv_kernel':
    case 'depthwise_kernel': {
      const fanOut = s[0]! * s[1]! * s[3]!;
      return tf.randomNormal(s, 0, Math.sqrt(2 / fanOut), 'float32', seed);
    }
    case 'dense_kernel': {
      const r = 1 / Math.sqrt(s[1]!);
      return tf.randomUniform(s, -r, r, 'float32', seed);
    }
    case 'bias':
    case 'bn_beta':
    case 'bn_moving_mean':
      return tf.zeros(s);
    case 'bn_gamma':
    case 'bn_moving_variance':
      return tf.ones(s);
  }
}
