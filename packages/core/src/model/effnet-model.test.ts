import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerTestBlock, tinySpec } from '../test-support/tiny-network.js';
import { createModel } from './create-model.js';
import { describeArchitecture } from './describe.js';
import { EffNetModel } from './effnet-model.js';
import { planNetwork } from './network-plan.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerTestBlock();
});

describe('EffNetModel', () => {
  it('accepts any input height and width, square or not', () => {
    const model = new EffNetModel(tinySpec(), { seed: 1 });
    for (const [h, w] of [[32, 32], [40, 56], [33, 47], [17, 9]] as const) {
      const y = model.predict(tf.randomNormal([2, h, w, 3]));
      expect(y.shape).toEqual([2, 5]);
      y.dispose();
    }
    model.dispose();
  });

  it('declares exactly the weights the shape-only pass counts', () => {
    const spec = tinySpec();
    const model = new EffNetModel(spec);
    const summary = describeArchitecture(spec, 32);
    expect(model.countParams()).toEqual({ trainable: summary.params, nonTrainable: summary.nonTrainableParams });
    // stem conv 3*3*3*8 + BN 4*8, ...; classifier 32*5+5
    expect(summary.classifier.params).toBe(32 * 5 + 5);
    expect(summary.stem.params).toBe(3 * 3 * 3 * 8 + 2 * 8);
    expect(summary.stem.nonTrainableParams).toBe(2 * 8);
    expect(summary.stem.macs).toBe(16 * 16 * 3 * 3 * 3 * 8);
    model.dispose();
  });

  it('leaks no tensors across repeated inference', () => {
    const model = new EffNetModel(tinySpec(), { seed: 2 });
    const x = tf.randomNormal([1, 32, 32, 3]);
    model.predict(x).dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      model.predict(x).dispose();
      model.features(x).dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });

  it('trains: loss falls, moving statistics move, and no tensor leaks per step', () => {
    const model = new EffNetModel(tinySpec({ dropout: 0, dropPathRate: 0 }), { seed: 3 });
    const x = tf.randomNormal([8, 24, 24, 3], 0, 1, 'float32', 5);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 0, 1, 2], 'int32'), 5);
    const opt = tf.train.adam(0.01);
    const meanBefore = model.weights.get('stem/bn/moving_mean')!.dataSync().slice();
    const losses: number[] = [];
    let tensors = -1;
    for (let step = 0; step < 8; step++) {
      const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true })) as tf.Scalar, true, model.trainableWeights())!;
      losses.push(loss.dataSync()[0]!);
      loss.dispose();
      if (step === 1) tensors = tf.memory().numTensors;
      if (step > 1) expect(tf.memory().numTensors).toBe(tensors);
    }
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.7);
    const meanAfter = model.weights.get('stem/bn/moving_mean')!.dataSync();
    expect(meanAfter.some((v, i) => Math.abs(v - meanBefore[i]!) > 1e-4)).toBe(true);
    opt.dispose();
    x.dispose();
    y.dispose();
    model.dispose();
  });

  it('drops residual branches per sample in training only', () => {
    // One residual block whose branch is large: dropped samples equal the block input.
    const spec = tinySpec({ stages: [{ type: 'test_block', repeats: 3, kernel: 3, stride: 1, expandRatio: 1, inChannels: 8, outChannels: 8 }], dropPathRate: 0.9 });
    const plan = planNetwork(spec);
    expect(plan.blocks.map((b) => b.survivalProb)).toEqual([1, 1 - 0.9 / 3, 1 - (0.9 * 2) / 3]);
    const model = new EffNetModel(spec, { seed: 4 });
    const x = tf.randomNormal([16, 16, 16, 3], 0, 1, 'float32', 9);
    const a = model.apply(x, { training: true, updateStatistics: false });
    const b = model.apply(x, { training: true, updateStatistics: false });
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeGreaterThan(1e-3); // masks differ between calls
    const e1 = model.predict(x);
    const e2 = model.predict(x);
    expect(tf.max(tf.abs(tf.sub(e1, e2))).dataSync()[0]).toBe(0);
    model.dispose();
  });

  it('rejects bad input with a clear error', () => {
    const model = new EffNetModel(tinySpec());
    expect(() => model.predict(tf.zeros([1, 8, 8, 4]))).toThrow(/3 channels .*expected 3, got 4/);
    expect(() => model.predict(tf.zeros([8, 8, 3]))).toThrow(/rank 4/);
    expect(() => model.predict(tf.zeros([1, 8, 8, 3], 'int32'))).toThrow(/float32/);
    model.dispose();
  });

  it('setWeights checks names and shapes before assigning anything', () => {
    const model = new EffNetModel(tinySpec(), { seed: 1 });
    const before = model.weights.get('stem/conv/kernel')!.dataSync().slice();
    expect(() => model.setWeights({ 'stem/conv/kernel': tf.zeros([3, 3, 3, 8]), 'head/conv/kernel': tf.zeros([1, 1, 16, 31]) }, { complete: false, source: 'w.bin' })).toThrow(
      /w\.bin: head\/conv\/kernel: has the wrong shape \(expected \[1,1,16,32\], got \[1,1,16,31\]\)/,
    );
    expect(model.weights.get('stem/conv/kernel')!.dataSync()).toEqual(before);
    expect(() => model.setWeights({ nope: tf.zeros([1]) }, { complete: false })).toThrow(/nope: is not a weight/);
    expect(() => model.setWeights({})).toThrow(/is missing/);
    model.dispose();
  });

  it('createModel builds from a resolved spec with overrides and names unknown block types', () => {
    const model = createModel(tinySpec(), { numClasses: 3 });
    expect(model.spec.numClasses).toBe(3);
    model.dispose();
    expect(() => createModel(tinySpec({ stages: [{ type: 'nope_block', repeats: 1, kernel: 3, stride: 1, expandRatio: 1, inChannels: 8, outChannels: 8 }] }))).toThrow(
      /stages\[0\]\.type: unknown block type "nope_block"/,
    );
    expect(() => createModel({ ...tinySpec(), headChannels: -1 } as never)).toThrow(/headChannels: is too small/);
  });
});
