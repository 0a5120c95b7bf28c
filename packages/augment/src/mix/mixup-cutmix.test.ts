import { isEffnetError, SeededRandom } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { smoothLabels } from './label-smoothing.js';
import { applyMix, applyMixToLabels, mixup, resolveMixOptions, sampleMix } from './mixup-cutmix.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const H = 10;
const W = 12;
const info = (batchSize: number) => ({ batchSize, height: H, width: W, channels: 3, numClasses: 4 });

/** Image i is the constant 10·(i + 1), so every output pixel tells which images it came from. */
function constantImages(n: number): tf.Tensor4D {
  return tf.tidy(() => tf.mul(tf.ones([n, H, W, 3]), tf.reshape(tf.tensor1d(Array.from({ length: n }, (_, i) => 10 * (i + 1))), [n, 1, 1, 1])));
}

function oneHot(n: number, classes = 4): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(Array.from({ length: n }, (_, i) => i % classes), 'int32'), classes), 'float32') as tf.Tensor2D);
}

describe('mixup', () => {
  it('mixes each example with the reversed batch by λ = max(λ, 1 − λ)', () => {
    const n = 6;
    const params = sampleMix(info(n), new SeededRandom(1), resolveMixOptions({ mixupAlpha: 0.4 }));
    expect(params.partner).toEqual([5, 4, 3, 2, 1, 0]);
    expect(params.mode.every((m) => m === 'mixup')).toBe(true);
    expect(params.labelWeight.every((l) => l >= 0.5 && l <= 1)).toBe(true);
    const images = constantImages(n);
    const labels = oneHot(n);
    const out = applyMix(images, params).dataSync();
    const y = applyMixToLabels(labels, params).dataSync();
    const ys = labels.arraySync();
    for (let i = 0; i < n; i++) {
      const l = params.labelWeight[i]!;
      const p = params.partner[i]!;
      expect(out[i * H * W * 3]).toBeCloseTo(10 * (i + 1) * l + 10 * (p + 1) * (1 - l), 3);
      for (let c = 0; c < 4; c++) expect(y[i * 4 + c]).toBeCloseTo(ys[i]![c]! * l + ys[p]![c]! * (1 - l), 6);
    }
    tf.dispose([images, labels]);
  });
});

describe('CutMix', () => {
  it('pastes a box of the partner and weighs the labels by the real box area', () => {
    const n = 40;
    const params = sampleMix(info(n), new SeededRandom(2), resolveMixOptions({ cutmixAlpha: 1 }));
    expect(params.mode.every((m) => m === 'cutmix')).toBe(true);
    const images = constantImages(n);
    const out = applyMix(images, params).dataSync();
    let clippedBoxes = 0;
    for (let i = 0; i < n; i++) {
      const [top, bottom, left, right] = params.box[i]!;
      if (top === 0 || left === 0 || bottom === H || right === W) clippedBoxes++;
      const partnerValue = 10 * (params.partner[i]! + 1);
      let fromPartner = 0;
      for (let r = 0; r < H; r++) {
        for (let c = 0; c < W; c++) {
          const v = out[((i * H + r) * W + c) * 3]!;
          const inside = r >= top && r < bottom && c >= left && c < right;
          expect(v).toBe(inside ? partnerValue : 10 * (i + 1));
          if (v === partnerValue && partnerValue !== 10 * (i + 1)) fromPartner++;
        }
      }
      if (params.partner[i] !== i) expect(params.labelWeight[i]).toBeCloseTo(1 - fromPartner / (H * W), 10);
    }
    expect(clippedBoxes).toBeGreaterThan(0);
    tf.dispose(images);
  });

  it('with mixup also on, mixes the first half and cuts the second, each half with itself reversed', () => {
    const params = sampleMix(info(7), new SeededRandom(3), resolveMixOptions({ mixupAlpha: 0.2, cutmixAlpha: 0.2 }));
    expect(params.mode).toEqual(['mixup', 'mixup', 'mixup', 'cutmix', 'cutmix', 'cutmix', 'cutmix']);
    expect(params.partner).toEqual([2, 1, 0, 6, 5, 4, 3]);
  });

  it('leaves the batch alone when both alphas are 0, apart from label smoothing', () => {
    const images = constantImages(4);
    const labels = oneHot(4);
    const params = sampleMix(info(4), new SeededRandom(4), resolveMixOptions({ labelSmoothing: 0.1 }));
    expect([...applyMix(images, params).dataSync()]).toEqual([...images.dataSync()]);
    const y = applyMixToLabels(labels, params).arraySync();
    expect(y[1]).toEqual([0.025, 0.925, 0.025, 0.025].map((v) => expect.closeTo(v, 6)));
    tf.dispose([images, labels]);
  });
});

describe('label smoothing and errors', () => {
  it('smooths one-hot rows to 1 − ε + ε/C and ε/C', () => {
    const smooth = smoothLabels(tf.tensor2d([[0, 0, 1, 0, 0]]), 0.1).dataSync();
    expect([...smooth].map((v) => Number(v.toFixed(6)))).toEqual([0.02, 0.02, 0.92, 0.02, 0.02]);
  });

  it('rejects bad options and mismatched batches with EffnetErrors', () => {
    expect(() => mixup.resolveOptions!({ mixupAlpha: -1 })).toThrow(/mixup\.mixupAlpha: is too small \(expected >= 0, got -1\)/);
    expect(() => mixup.resolveOptions!({ labelSmoothing: 2 })).toThrow(/mixup\.labelSmoothing: is too large/);
    expect(() => mixup.resolveOptions!({ cutmix: 1 } as never)).toThrow(/mixup\.cutmix: is not a known field/);
    const params = sampleMix(info(4), new SeededRandom(5), resolveMixOptions({ mixupAlpha: 1 }));
    const labels = oneHot(3);
    let error: unknown;
    try {
      applyMixToLabels(labels, params);
    } catch (e) {
      error = e;
    }
    expect(isEffnetError(error)).toBe(true);
    expect((error as Error).message).toMatch(/do not fit the labels \(expected 4 examples, got 3\)/);
    labels.dispose();
  });

  it('is reproducible and leaks nothing', () => {
    const images = constantImages(8);
    const labels = oneHot(8);
    const o = resolveMixOptions({ mixupAlpha: 0.8, cutmixAlpha: 1, labelSmoothing: 0.1 });
    const a = sampleMix(info(8), new SeededRandom(6), o);
    expect(sampleMix(info(8), new SeededRandom(6), o)).toEqual(a);
    expect(sampleMix(info(8), new SeededRandom(7), o)).not.toEqual(a);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) tf.dispose([applyMix(images, a), applyMixToLabels(labels, a)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([images, labels]);
  });
});
