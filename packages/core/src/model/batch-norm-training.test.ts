import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import '../register-gradients.js';
import { batchNormTraining } from './batch-norm-training.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

describe('batchNormTraining', () => {
  it('matches tf.moments + tf.batchNorm in value, statistics and gradients', () => {
    tf.tidy(() => {
      const x = tf.add(tf.mul(tf.randomNormal([3, 5, 4, 6], 0, 1, 'float32', 1), 3), 2);
      const gamma = tf.randomNormal([6], 1, 0.3, 'float32', 2) as tf.Tensor1D;
      const beta = tf.randomNormal([6], 0, 0.3, 'float32', 3) as tf.Tensor1D;
      const weights = tf.randomNormal([3, 5, 4, 6], 0, 1, 'float32', 4);
      const reference = (xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = tf.moments(xi, [0, 1, 2]);
        return tf.batchNorm(xi, mean, variance, b as tf.Tensor1D, g as tf.Tensor1D, 1e-3);
      };
      const ours = (xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const r = batchNormTraining(xi, g as tf.Tensor1D, b as tf.Tensor1D, 1e-3);
        return r.y;
      };
      expect(maxDiff(ours(x, gamma, beta), reference(x, gamma, beta))).toBeLessThan(1e-5);
      const r = batchNormTraining(x, gamma, beta, 1e-3);
      const m = tf.moments(x, [0, 1, 2]);
      expect(maxDiff(r.mean, m.mean)).toBeLessThan(1e-5);
      expect(maxDiff(r.variance, m.variance)).toBeLessThan(1e-4);
      const loss = (f: typeof ours) => (xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(xi, g, b), weights));
      const gOurs = tf.grads(loss(ours))([x, gamma, beta]);
      const gRef = tf.grads(loss(reference))([x, gamma, beta]);
      gOurs.forEach((g, i) => expect(maxDiff(g, gRef[i]!) / tf.max(tf.abs(gRef[i]!)).dataSync()[0]!).toBeLessThan(1e-4));
    });
  });
});
