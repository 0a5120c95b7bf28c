import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { ParameterAverage } from './ema.js';
import { learningRateAt, resolveLearningRate } from './learning-rate.js';
import { createOptimizer, resolveOptimizerConfig } from './optimizers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const vec = (v: number[]) => tf.tensor1d(v);
const read = (t: tf.Tensor) => Array.from(t.dataSync());

describe('optimizers', () => {
  it('RMSProp defaults to the official rho 0.9, momentum 0.9, epsilon 1e-3 and follows TF1 (ms starts at 1)', () => {
    expect(resolveOptimizerConfig()).toEqual({ type: 'rmsprop', rho: 0.9, momentum: 0.9, epsilon: 1e-3 });
    const opt = createOptimizer({ type: 'rmsprop' }, 2);
    let p = vec([1, -1]);
    const g = vec([0.5, 2]);
    let ms = [1, 1];
    let mom = [0, 0];
    let expected = [1, -1];
    for (let step = 0; step < 3; step++) {
      const next = opt.update(p, g, 0.1, step);
      p.dispose();
      p = next;
      ms = ms.map((m, i) => 0.9 * m + 0.1 * [0.5, 2][i]! ** 2);
      mom = mom.map((m, i) => 0.9 * m + (0.1 * [0.5, 2][i]!) / Math.sqrt(ms[i]! + 1e-3));
      expected = expected.map((e, i) => e - mom[i]!);
    }
    read(p).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    opt.dispose();
  });

  it('SGD with momentum and AdamW (decoupled decay) take the textbook steps', () => {
    const sgd = createOptimizer({ type: 'sgd', momentum: 0.5 }, 1);
    const p1 = sgd.update(vec([1]), vec([2]), 0.1, 0);
    const p2 = sgd.update(p1, vec([2]), 0.1, 1);
    expect(read(p2)[0]).toBeCloseTo(1 - 0.2 - 0.1 * (0.5 * 2 + 2), 6);
    const adamw = createOptimizer({ type: 'adamw' }, 1);
    const a = adamw.update(vec([1]), vec([3]), 0.01, 0, vec([0.001]));
    // First Adam step moves by lr (m̂ / sqrt(v̂) = 1); decay removes p·0.001.
    expect(read(a)[0]).toBeCloseTo(1 - 0.01 - 0.001, 5);
    expect(() => resolveOptimizerConfig({ type: 'lamb' })).toThrow(/optimizer\.type/);
    sgd.dispose();
    adamw.dispose();
  });
});

describe('learning rate', () => {
  it('warms up linearly, then decays x0.97 every 2.4 epochs (staircase), as the official schedule', () => {
    const cfg = resolveLearningRate({});
    expect(cfg).toMatchObject({ base: 0.016, perImages: 256, warmupEpochs: 5, decay: 'exponential', decayEpochs: 2.4, decayFactor: 0.97 });
    const spe = 10;
    const at = (step: number) => learningRateAt(cfg, step, spe, 3500, 4096);
    expect(at(0)).toBe(0);
    expect(at(25)).toBeCloseTo(0.256 * 0.5, 10);
    expect(at(50)).toBeCloseTo(0.256 * 0.97 ** 2, 10); // floor(50 / 24) = 2
    expect(at(71)).toBeCloseTo(0.256 * 0.97 ** 2, 10);
    expect(at(72)).toBeCloseTo(0.256 * 0.97 ** 3, 10);
  });

  it('cosine decays from the peak to the minimum', () => {
    const cfg = resolveLearningRate({ base: 0.1, warmupEpochs: 0, decay: 'cosine', min: 0.001 });
    expect(learningRateAt(cfg, 0, 10, 100, 32)).toBeCloseTo(0.1, 10);
    expect(learningRateAt(cfg, 50, 10, 100, 32)).toBeCloseTo(0.05, 10);
    expect(learningRateAt(cfg, 100, 10, 100, 32)).toBe(0.001);
  });
});

describe('EMA', () => {
  it('uses min(decay, (1 + n) / (10 + n))', () => {
    const ema = new ParameterAverage(vec([0]), 0.9999);
    expect(ema.decayAt(0)).toBeCloseTo(0.1, 10);
    expect(ema.decayAt(90)).toBeCloseTo(0.91, 10);
    expect(ema.decayAt(1e7)).toBe(0.9999);
    ema.update(vec([10]), 0);
    expect(read(ema.value)[0]).toBeCloseTo(9, 5);
    ema.dispose();
  });
});
