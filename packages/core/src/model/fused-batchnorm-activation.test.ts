import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerTestBlock, tinySpec } from '../test-support/tiny-network.js';
import { EffNetModel } from './effnet-model.js';
import { batchNormActivationTraining } from './fused-batchnorm-activation.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerTestBlock();
});

function maxRel(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]! / Math.max(1e-12, tf.max(tf.abs(b)).dataSync()[0]!));
}

describe('fused BatchNorm + activation (training)', () => {
  it.each(['silu', 'relu', 'linear'] as const)('%s: value and gradients equal the unfused ops', (kind) => {
    const x = tf.randomNormal([3, 5, 4, 6], 0.5, 2, 'float32', 1);
    const gamma = tf.randomUniform([6], 0.5, 1.5, 'float32', 2);
    const beta = tf.randomNormal([6], 0, 0.5, 'float32', 3);
    const w = tf.randomNormal([3, 5, 4, 6], 0, 1, 'float32', 4);
    const act = (u: tf.Tensor) => (kind === 'silu' ? tf.mul(u, tf.sigmoid(u)) : kind === 'relu' ? tf.relu(u) : u);
    const reference = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const { mean, variance } = tf.moments(a, [0, 1, 2]);
      return tf.sum(tf.mul(act(tf.batchNorm(a, mean, variance, b, g, 1e-3)), w));
    };
    const fused = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(batchNormActivationTraining(a, g, b, 1e-3, kind), w));
    const gRef = tf.grads(reference)([x, gamma, beta]);
    const gFused = tf.grads(fused)([x, gamma, beta]);
    expect(maxRel(fused(x, gamma, beta), reference(x, gamma, beta))).toBeLessThan(1e-5);
    gRef.forEach((g, i) => expect(maxRel(gFused[i]!, g), `input ${i}`).toBeLessThan(1e-4));
  });

  it('a model trains to the same gradients fused and unfused, and moving statistics match', () => {
    const a = new EffNetModel(tinySpec({ dropout: 0, dropPathRate: 0 }), { seed: 9 });
    const b = new EffNetModel(tinySpec({ dropout: 0, dropPathRate: 0 }), { seed: 9 });
    const x = tf.randomNormal([4, 20, 20, 3], 0, 1, 'float32', 5);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 5);
    const grads = (m: EffNetModel, fuse: boolean) =>
      tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, m.apply(x, { training: true, fuseBatchNorm: fuse })) as tf.Scalar, m.trainableWeights());
    const ga = grads(a, true);
    const gb = grads(b, false);
    expect(Math.abs(ga.value.dataSync()[0]! - gb.value.dataSync()[0]!)).toBeLessThan(1e-5);
    const names = Object.keys(gb.grads);
    expect(names.length).toBeGreaterThan(10);
    names.forEach((n, i) => expect(maxRel(ga.grads[Object.keys(ga.grads)[i]!]!, gb.grads[n]!), n).toBeLessThan(1e-3));
    for (const d of a.weightDecls.filter((w) => !w.trainable)) {
      expect(maxRel(a.weights.get(d.name)!, b.weights.get(d.name)!), d.name).toBeLessThan(1e-5);
    }
    a.dispose();
    b.dispose();
  });
});
