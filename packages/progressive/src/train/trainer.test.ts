import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TensorDataset } from '../data/tensor-dataset.js';
import { validateSchedule } from '../schedule/validate-schedule.js';
import { PixelDataset } from '../data/idx-dataset.js';
import { cornerDataset, cornerImages, tinyModel } from '../test-support/tiny.js';
import type { StepEvent } from './train-events.js';
import { loadCheckpointTensors } from './checkpoint.js';
import { Trainer } from './trainer.js';

let tmp: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  tmp = await mkdtemp(path.join(tmpdir(), 'effnet-trainer-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

const twoStages = (epochs: number, magnitude = 0) =>
  validateSchedule({
    name: 'test',
    stages: [
      { endEpoch: epochs / 2, imageSize: 12, dropout: 0.05, randAugmentMagnitude: magnitude },
      { endEpoch: epochs, imageSize: 16, dropout: 0.1, randAugmentMagnitude: magnitude, mixupAlpha: 0.2, cutmixAlpha: 0.2 },
    ],
    evalSize: 20,
  });

const weightsOf = (model: ReturnType<typeof tinyModel>) => [...model.weights].map(([n, v]) => [n, Array.from(v.dataSync())] as const);

describe('Trainer', () => {
  it('evaluates the EMA weights with the moving average of the BatchNorm statistics, and checkpoints it', async () => {
    const model = tinyModel(3);
    const data = cornerDataset(32);
    const dir = path.join(tmp, 'ema-statistics');
    const trainer = new Trainer({ model, train: data, schedule: twoStages(4), batchSize: 8, learningRate: { base: 0.02, warmupEpochs: 0.5, decay: 'cosine' }, ema: 0.9, checkpointDir: dir });
    await trainer.fit();
    const names = model.weightDecls.filter((d) => !d.trainable).map((d) => d.name);
    const read = () => Float32Array.from(names.flatMap((n) => Array.from(model.weights.get(n)!.dataSync())));
    const live = read();
    const averaged = (await loadCheckpointTensors(dir, model)).get('ema/statistics')!;
    expect(averaged).toHaveLength(live.length);
    let differs = 0;
    for (let i = 0; i < live.length; i++) if (Math.abs(live[i]! - averaged[i]!) > 1e-6) differs++;
    expect(differs).toBeGreaterThan(live.length / 4);
    const seen = await trainer.withEvalWeights(async () => read());
    expect(Array.from(seen)).toEqual(Array.from(averaged));
    expect(Array.from(read())).toEqual(Array.from(live));
    trainer.dispose();
    data.dispose();
    model.dispose();
  });

  it('lowers the loss, applies each stage to the same model, and evaluates at the eval size', async () => {
    const model = tinyModel(3);
    const data = cornerDataset(48);
    const steps: StepEvent[] = [];
    const stages: number[] = [];
    const trainer = new Trainer({
      model, train: data, eval: cornerDataset(24, 3, 12, 9), schedule: twoStages(12), batchSize: 8,
      learningRate: { base: 0.02, warmupEpochs: 0.5, decay: 'cosine' }, ema: 0.9,
      onEvent: (e) => (e.type === 'step' ? steps.push(e) : e.type === 'stage' ? stages.push(e.stage.imageSize) : undefined),
    });
    const r = await trainer.fit();
    expect(stages).toEqual([12, 16]);
    expect(new Set(steps.map((s) => s.imageSize))).toEqual(new Set([12, 16]));
    const mean = (xs: StepEvent[]) => xs.reduce((a, s) => a + s.loss, 0) / xs.length;
    expect(mean(steps.slice(-12))).toBeLessThan(mean(steps.slice(0, 6)) - 0.2);
    expect(r.finished).toBe(true);
    expect(r.evaluation!.accuracy).toBeGreaterThan(0.5);
    expect(r.history).toHaveLength(12);
    trainer.dispose();
    model.dispose();
    data.dispose();
  });

  it('keeps the number of tensors flat over many steps (augmentation, mixup, accumulation on)', async () => {
    const model = tinyModel(3);
    const data = cornerDataset(16);
    const counts: number[] = [];
    const trainer = new Trainer({
      model, train: data, schedule: twoStages(12, 4), batchSize: 8, microBatchSize: 4, evalEvery: 0,
      onEvent: (e) => e.type === 'step' && counts.push(tf.memory().numTensors),
    });
    await trainer.fit();
    expect(counts).toHaveLength(24);
    // The last two steps have fewer batches loaded ahead (nothing is prefetched past the end).
    expect(new Set(counts.slice(0, -2)).size).toBe(1);
    expect(counts.slice(-2)).toEqual([counts[0]! - 1, counts[0]! - 2]);
    trainer.dispose();
    model.dispose();
    data.dispose();
  });

  it('stops with a clear error when the loss is not finite, and keeps the weights', async () => {
    const model = tinyModel(2);
    const images = tf.fill([8, 12, 12, 1], Number.NaN) as tf.Tensor4D;
    const data = new TensorDataset(images, [0, 1, 0, 1, 0, 1, 0, 1], { numClasses: 2 });
    const before = weightsOf(model);
    const trainer = new Trainer({ model, train: data, schedule: twoStages(2), batchSize: 4 });
    await expect(trainer.fit()).rejects.toThrow(/loss: training stopped at step 0 .*the loss is NaN; the weights are left as they were before this step/);
    expect(weightsOf(model)).toEqual(before);
    trainer.dispose();
    images.dispose();
    model.dispose();
    data.dispose();
  });

  it('resumes from a checkpoint exactly: 1 + 1 epochs give the same weights as 2', async () => {
    const run = async (dir: string, maxSteps?: number, resume = false) => {
      const model = tinyModel(3, 7);
      const data = cornerDataset(24);
      const trainer = new Trainer({ model, train: data, schedule: twoStages(2, 3), batchSize: 8, checkpointDir: dir, resume, evalEvery: 0, ...(maxSteps ? { maxSteps } : {}) });
      await trainer.fit();
      trainer.useEvalWeights();
      const w = weightsOf(model);
      trainer.dispose();
      model.dispose();
      data.dispose();
      return w;
    };
    const straight = await run(path.join(tmp, 'a'));
    await run(path.join(tmp, 'b'), 3);
    expect(JSON.parse(await readFile(path.join(tmp, 'b', 'state.json'), 'utf8')).step).toBe(3);
    const resumed = await run(path.join(tmp, 'b'), undefined, true);
    expect(resumed).toEqual(straight);
  });

  it('trains to the same weights with batches made on a loader thread, and stops the thread after', async () => {
    const { images, labels } = cornerImages(24);
    const pixels = Uint8Array.from(images.dataSync(), (v) => Math.min(255, Math.round(v)));
    images.dispose();
    const run = async (loaderThread: boolean) => {
      const model = tinyModel(3, 7);
      const data = new PixelDataset(pixels, [12, 12, 1], labels, 3, 'corners');
      const calls: string[] = [];
      const [start, stop] = [data.startLoaderThread.bind(data), data.stopLoaderThread.bind(data)];
      data.startLoaderThread = async () => (calls.push('start'), start());
      data.stopLoaderThread = async () => (calls.push('stop'), stop());
      const trainer = new Trainer({ model, train: data, schedule: twoStages(2), batchSize: 8, crop: { scale: [0.5, 1], flip: 0.5 }, smallImages: 'crop', evalEvery: 0, loaderThread });
      await trainer.fit();
      const w = weightsOf(model);
      trainer.dispose();
      model.dispose();
      return { w, calls };
    };
    const here = await run(false);
    const thread = await run(true);
    expect(here.calls).toEqual([]);
    expect(thread.calls).toEqual(['start', 'stop']);
    expect(thread.w).toEqual(here.w);
  });

  it('refuses a checkpoint of another architecture and leaves it untouched', async () => {
    const dir = path.join(tmp, 'c');
    const data = cornerDataset(16);
    const small = tinyModel(3);
    const t1 = new Trainer({ model: small, train: data, schedule: twoStages(2), batchSize: 8, checkpointDir: dir, maxSteps: 1 });
    await t1.fit();
    const files = await readdir(dir);
    const mtime = (await stat(path.join(dir, 'state.json'))).mtimeMs;
    const other = tinyModel(3, 1, { blocks: ['r1_k3_s1_e1_i8_o8_c1', 'r1_k3_s2_e2_i8_o24_se0.25'], stemChannels: 8, headChannels: 32, name: 'tiny' });
    const t2 = new Trainer({ model: other, train: data, schedule: twoStages(2), batchSize: 8, checkpointDir: dir, resume: true });
    await expect(t2.fit()).rejects.toThrow(/state\.json: architecture\.stages\[1\]\.outChannels: was written for another architecture \(tiny\).*\(expected 24, got 16\)/);
    expect(await readdir(dir)).toEqual(files);
    expect((await stat(path.join(dir, 'state.json'))).mtimeMs).toBe(mtime);
    [t1, t2].forEach((t) => t.dispose());
    [small, other].forEach((m) => m.dispose());
    data.dispose();
  });
});
