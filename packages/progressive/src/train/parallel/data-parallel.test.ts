import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateSchedule } from '../../schedule/validate-schedule.js';
import { cornerDataset, tinyModel } from '../../test-support/tiny.js';
import type { StepEvent } from '../train-events.js';
import { Trainer } from '../trainer.js';
import type { TrainerOptions } from '../trainer-options.js';
import { combineStatistics } from './share-gradient.js';

const setupModule = pathToFileURL(path.join(import.meta.dirname, '../../test-support/worker-setup.mjs')).href;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const schedule = (epochs: number, dropout: number) =>
  validateSchedule({ name: 'test', stages: [{ endEpoch: epochs, imageSize: 12, dropout, randAugmentMagnitude: 0 }], evalSize: 12 });

type Run = { weights: Map<string, Float32Array>; steps: StepEvent[]; tensors: number };

async function trainUnchecked(options: Partial<TrainerOptions>, epochs: number, dropout: number): Promise<Run> {
  const model = tinyModel(3, 5);
  const data = cornerDataset(32);
  const steps: StepEvent[] = [];
  const trainer = new Trainer({
    model, train: data, schedule: schedule(epochs, dropout), batchSize: 8, evalEvery: 0, ema: false, dropPathRate: 0,
    learningRate: { base: 0.02, warmupEpochs: 0 },
    onEvent: (e) => e.type === 'step' && steps.push(e),
    ...options,
  });
  try {
    await trainer.fit();
    return { weights: new Map([...model.weights].map(([n, v]) => [n, v.dataSync().slice() as Float32Array])), steps, tensors: 0 };
  } finally {
    trainer.dispose();
    model.dispose();
    data.dispose();
  }
}

async function trainCounting(options: Partial<TrainerOptions>, epochs = 2, dropout = 0): Promise<Run> {
  const before = tf.memory().numTensors;
  const run = await trainUnchecked(options, epochs, dropout);
  return { ...run, tensors: tf.memory().numTensors - before };
}

describe('data-parallel training over worker threads', () => {
  it('computes the same step as one thread with the same micro-batches: equal weights, equal BatchNorm statistics', async () => {
    const parallel = await trainCounting({ parallel: { workers: 1, setupModule } });
    const sequential = await trainCounting({ microBatchSize: 4 });
    expect(parallel.steps).toHaveLength(8);
    for (const [name, w] of sequential.weights) {
      const p = parallel.weights.get(name)!;
      if (/moving_(mean|variance)$/.test(name)) {
        const err = Math.max(...w.map((v, i) => Math.abs(v - p[i]!) / Math.max(1, Math.abs(v))));
        expect(err, name).toBeLessThan(1e-5);
      } else expect(Array.from(p), name).toEqual(Array.from(w));
    }
    expect(parallel.steps.map((s) => s.loss)).toEqual(sequential.steps.map((s) => s.loss));
    // Whatever a run keeps (model and data set-up included), the workers add nothing to it.
    expect(parallel.tensors).toBe(sequential.tensors);
    expect(sequential.tensors).toBeLessThan(4);
  }, 120_000);

  it('is reproducible with dropout on, and lowers the loss', async () => {
    const a = await trainCounting({ parallel: { workers: 2, setupModule } }, 4, 0.3);
    const b = await trainCounting({ parallel: { workers: 2, setupModule } }, 4, 0.3);
    expect([...a.weights.values()].map((w) => Array.from(w))).toEqual([...b.weights.values()].map((w) => Array.from(w)));
    const mean = (xs: StepEvent[]) => xs.reduce((s, e) => s + e.loss, 0) / xs.length;
    expect(mean(a.steps.slice(-4))).toBeLessThan(mean(a.steps.slice(0, 4)));
  }, 120_000);

  it('stops with a clear error when a worker cannot start, keeping no more tensors than a run without workers', async () => {
    const baseline = (await trainCounting({ maxSteps: 1 })).tensors;
    const before = tf.memory().numTensors;
    await expect(trainCounting({ parallel: { workers: 1, setupModule, setupArgument: 'fail' } })).rejects.toThrow(/gradient worker 1 could not start: this set-up fails on purpose/);
    expect(tf.memory().numTensors - before).toBeLessThanOrEqual(baseline);
  }, 60_000);

  it('combines BatchNorm statistics as if the shares had run one after another', () => {
    const m = 0.9;
    const start = tf.tensor1d([1, 2]);
    const batches = [[3, 5], [7, -1], [0, 4]];
    // Sequential: three updates. Replicas: each from start (two updates for the second replica).
    let sequential = start;
    const replicas: tf.Tensor1D[] = [];
    const updates = [1, 2, 0];
    let k = 0;
    for (const [r, n] of updates.entries()) {
      let replica = start;
      for (let j = 0; j < n; j++) {
        const b = tf.tensor1d(batches[k++]!);
        sequential = tf.add(tf.mul(sequential, m), tf.mul(b, 1 - m));
        replica = tf.add(tf.mul(replica, m), tf.mul(b, 1 - m));
      }
      replicas[r] = replica;
    }
    const combined = combineStatistics(start, replicas, updates, m);
    const [got, want] = [combined.dataSync(), sequential.dataSync()];
    want.forEach((v, i) => expect(got[i]!).toBeCloseTo(v, 6));
  });
});
