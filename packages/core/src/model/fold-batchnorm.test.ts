import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerTestBlock, tinySpec } from '../test-support/tiny-network.js';
import { EffNetModel } from './effnet-model.js';
import { convBatchNormPairs, InferenceModel } from './fold-batchnorm.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerTestBlock();
});

describe('InferenceModel (BatchNorm folded into convolutions)', () => {
  it('finds every conv followed only by a BatchNorm', () => {
    const model = new EffNetModel(tinySpec());
    const pairs = convBatchNormPairs(model);
    expect(pairs.get('stem/conv')).toBe('stem/bn');
    expect(pairs.get('head/conv')).toBe('head/bn');
    expect(pairs.get('blocks/1/1/conv')).toBe('blocks/1/1/bn');
    expect(pairs.has('blocks/0/0/gate')).toBe(false); // the gate conv feeds a sigmoid
    expect(pairs.size).toBe(2 + 4);
    model.dispose();
  });

  it('gives the same outputs as the model, and leaks nothing', () => {
    const model = new EffNetModel(tinySpec(), { seed: 3 });
    // Non-trivial BatchNorm statistics.
    for (const d of model.weightDecls) {
      if (d.kind === 'bn_moving_mean') model.weights.get(d.name)!.assign(tf.randomNormal(d.shape, 0, 0.3, 'float32', 1));
      if (d.kind === 'bn_moving_variance') model.weights.get(d.name)!.assign(tf.randomUniform(d.shape, 0.5, 1.5, 'float32', 2));
      if (d.kind === 'bn_gamma') model.weights.get(d.name)!.assign(tf.randomUniform(d.shape, 0.5, 1.5, 'float32', 3));
    }
    const fast = new InferenceModel(model);
    const x = tf.randomNormal([2, 37, 29, 3], 0, 1, 'float32', 4);
    fast.predict(x).dispose();
    const before = tf.memory().numTensors;
    const a = fast.predict(x);
    const b = model.predict(x);
    const err = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]! / tf.max(tf.abs(b)).dataSync()[0]!);
    expect(err).toBeLessThan(1e-5);
    tf.dispose([a, b]);
    expect(tf.memory().numTensors).toBe(before);
    fast.dispose();
    model.dispose();
    x.dispose();
  });
});
