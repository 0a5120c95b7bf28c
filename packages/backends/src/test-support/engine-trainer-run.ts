// Shared by the tests that compare a backend's compiled engine with its op-by-op run through the
// trainer: the same tiny model, data and two-stage schedule (rising size and dropout, mixup and
// CutMix in the second stage, micro-batches, stochastic depth, EMA), and the comparison.
import type { EffNetModel } from '@effnet/core';
import { Trainer, validateSchedule, type OptimizerConfig, type TrainerOptions } from '@effnet/progressive';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { cornerDataset, tinyModel } from '../../../progressive/src/test-support/tiny.js';

const schedule = validateSchedule({
  name: 'compiled-vs-eager',
  stages: [
    { endEpoch: 2, imageSize: 12, dropout: 0.1, randAugmentMagnitude: 0 },
    { endEpoch: 4, imageSize: 16, dropout: 0.2, randAugmentMagnitude: 0, mixupAlpha: 0.2, cutmixAlpha: 0.2 },
  ],
  evalSize: 16,
});

/** What one trainer run left: the model, each step's loss and live tensor count, the final accuracy. */
export interface EngineRun {
  model: EffNetModel;
  losses: number[];
  tensors: number[];
  accuracy: number;
  /** Whether the trainer kept the state in the engine. */
  stateInEngine: boolean;
}

/**
 * Trains the tiny model on the active backend with `engine` (16 steps over two stages), in
 * micro-batches of 4 unless `wholeBatches` (which lets an engine keep the state between steps).
 */
export async function trainTiny(engine: 'eager' | 'graph', options: { wholeBatches?: boolean; keepStateInEngine?: boolean } = {}): Promise<EngineRun> {
  const model = tinyModel(3, 7);
  const data = cornerDataset(32);
  const losses: number[] = [];
  const tensors: number[] = [];
  const trainer = new Trainer({
    model,
    train: data,
    eval: cornerDataset(12, 3, 12, 9),
    schedule,
    batchSize: 8,
    microBatchSize: options.wholeBatches ? 8 : 4,
    engine,
    ...(options.keepStateInEngine === undefined ? {} : { keepStateInEngine: options.keepStateInEngine }),
    dropPathRate: 0.2,
    learningRate: { base: 0.02, warmupEpochs: 0.5, decay: 'cosine' },
    ema: 0.9,
    onEvent: (e) => {
      if (e.type !== 'step') return;
      losses.push(e.loss);
      tensors.push(tf.memory().numTensors);
    },
  });
  const r = await trainer.fit();
  const stateInEngine = trainer.stateInEngine;
  trainer.dispose();
  data.dispose();
  return { model, losses, tensors, accuracy: r.evaluation!.accuracy, stateInEngine };
}

/**
 * Expects the compiled run to train as the op-by-op one did: the same loss at every step and the
 * same final weights within 1e-3 relative, the same accuracy, and the same tensor counts.
 */
export function expectSameTraining(eager: EngineRun, compiled: EngineRun): void {
  expect(compiled.losses).toHaveLength(16);
  compiled.losses.forEach((l, i) => expect(Math.abs(l - eager.losses[i]!), `step ${i}`).toBeLessThan(1e-3 * Math.max(1, Math.abs(eager.losses[i]!))));
  for (const [name, v] of eager.model.weights) {
    const a = v.dataSync();
    const b = compiled.model.weights.get(name)!.dataSync();
    let scale = 1e-2;
    let worst = 0;
    for (let i = 0; i < a.length; i++) {
      scale = Math.max(scale, Math.abs(a[i]!));
      worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    }
    expect(worst / scale, name).toBeLessThan(1e-3);
  }
  expect(compiled.accuracy).toBeCloseTo(eager.accuracy, 5);
  // Tensors alive at each step, relative to the first: as in the op-by-op run.
  const relative = (counts: number[]) => counts.map((n) => n - counts[0]!);
  expect(relative(compiled.tensors)).toEqual(relative(eager.tensors));
}

const residentSchedule = validateSchedule({
  name: 'resident',
  stages: [
    { endEpoch: 2, imageSize: 12, dropout: 0.1, randAugmentMagnitude: 0 },
    { endEpoch: 4, imageSize: 16, dropout: 0.2, randAugmentMagnitude: 0, mixupAlpha: 0.2 },
  ],
  evalSize: 16,
});

/**
 * A trainer (not started) for the tests of resident training: the tiny model in whole batches of
 * 8 on the compiled engine, two stages, weight decay, stochastic depth, an EMA, with the state
 * kept in the engine or moved through the host; `losses` fills as it trains.
 */
export function residentRun(optimizer: OptimizerConfig, keepStateInEngine: boolean, extra: Partial<TrainerOptions> = {}): { trainer: Trainer; model: EffNetModel; losses: number[] } {
  const model = tinyModel(3, 7);
  const losses: number[] = [];
  const trainer = new Trainer({
    model,
    train: cornerDataset(32),
    eval: cornerDataset(12, 3, 12, 9),
    schedule: residentSchedule,
    batchSize: 8,
    engine: 'graph',
    keepStateInEngine,
    optimizer,
    weightDecay: 1e-3,
    dropPathRate: 0.2,
    learningRate: { base: 0.02, warmupEpochs: 0.5, decay: 'cosine' },
    ema: 0.9,
    onEvent: (e) => {
      if (e.type === 'step') losses.push(e.loss);
    },
    ...extra,
  });
  return { trainer, model, losses };
}

/** Largest difference between two models' weights (moving statistics included), relative to each weight's largest magnitude (at least 1e-2). */
export function worstRelative(a: EffNetModel, b: EffNetModel): number {
  let worst = 0;
  for (const [name, v] of a.weights) {
    const x = v.dataSync();
    const y = b.weights.get(name)!.dataSync();
    let scale = 1e-2;
    for (let i = 0; i < x.length; i++) scale = Math.max(scale, Math.abs(x[i]!));
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!) / scale);
  }
  return worst;
}

/**
 * Trains with the state on the host and with it in the engine (`engineExtra` added to the
 * latter) and expects the same losses, weights, moving statistics and EMA evaluation within 1e-4.
 */
export async function expectResidentMatchesHost(optimizer: OptimizerConfig, engineExtra: Partial<TrainerOptions> = {}): Promise<void> {
  const host = residentRun(optimizer, false);
  const engine = residentRun(optimizer, true, engineExtra);
  const [a, b] = [await host.trainer.fit(), await engine.trainer.fit()];
  expect(host.trainer.stateInEngine).toBe(false);
  expect(engine.trainer.stateInEngine).toBe(true);
  expect(engine.losses).toHaveLength(16);
  engine.losses.forEach((l, i) => expect(Math.abs(l - host.losses[i]!), `step ${i}`).toBeLessThan(1e-4 * Math.max(1, Math.abs(host.losses[i]!))));
  // Weights and the BatchNorm moving statistics (read back from the engine at the end).
  expect(worstRelative(host.model, engine.model)).toBeLessThan(1e-4);
  // The EMA weights evaluated at the end.
  expect(b.evaluation!.loss).toBeCloseTo(a.evaluation!.loss, 4);
  for (const r of [host, engine]) {
    r.trainer.dispose();
    r.model.dispose();
  }
}

/** Expects a run whose first steps blow up to stop with NOT_FINITE, its weights those before the failed step (finite). */
export async function expectNonFiniteStepStops(): Promise<void> {
  const r = residentRun({ type: 'sgd', momentum: 0, nesterov: false }, true, { learningRate: { base: 1e30, warmupEpochs: 0, decay: 'cosine' } });
  const error = await r.trainer.fit().catch((e: unknown) => e as Error & { code?: string });
  expect(error).toMatchObject({ code: 'NOT_FINITE' });
  expect(r.losses.length).toBeGreaterThan(0);
  for (const v of r.model.weights.values()) expect(Array.from(v.dataSync()).every(Number.isFinite)).toBe(true);
  r.trainer.dispose();
  r.model.dispose();
}
