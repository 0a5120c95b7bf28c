// Heavy suite: training with its state kept in TensorFlow between steps (one native call per step)
// against the same trainer moving the state through the host after each graph pass: every
// optimizer with weight decay and an EMA, over two stages; a step whose loss is not finite
// changes nothing; a run stopped and resumed from its checkpoint ends where an uninterrupted one
// does; sessions are freed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OptimizerConfig } from '@effnet/progressive';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { residentRun, worstRelative } from '../src/test-support/engine-trainer-run.js';
import { useBackend } from '../src/use-backend.js';
import { nativeSessionCount, tfjsNodeMissing } from './tfjs-node-missing.js';

const missing = tfjsNodeMissing();

const run = residentRun;

describe.skipIf(!!missing)(`training with the state in TensorFlow${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let dir: string;
  beforeAll(async () => {
    await useBackend('tfjs-node');
    dir = mkdtempSync(join(tmpdir(), 'effnet-resident-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const optimizers: OptimizerConfig[] = [{ type: 'rmsprop' }, { type: 'sgd', momentum: 0.9, nesterov: true }, { type: 'adamw' }];
  for (const optimizer of optimizers) {
    it(`${optimizer.type}: same losses, weights, EMA evaluation and statistics as the state on the host`, async () => {
      const sessions = await nativeSessionCount();
      const host = run(optimizer, false);
      const engine = run(optimizer, true);
      const [a, b] = [await host.trainer.fit(), await engine.trainer.fit()];
      expect(host.trainer.stateInEngine).toBe(false);
      expect(engine.trainer.stateInEngine).toBe(true);
      expect(engine.losses).toHaveLength(16);
      engine.losses.forEach((l, i) => expect(Math.abs(l - host.losses[i]!), `step ${i}`).toBeLessThan(1e-4 * Math.max(1, Math.abs(host.losses[i]!))));
      // Weights and the BatchNorm moving statistics (read back from TensorFlow at the end).
      expect(worstRelative(host.model, engine.model)).toBeLessThan(1e-4);
      // The EMA weights evaluated at the end.
      expect(b.evaluation!.loss).toBeCloseTo(a.evaluation!.loss, 4);
      host.trainer.dispose();
      engine.trainer.dispose();
      host.model.dispose();
      engine.model.dispose();
      expect(await nativeSessionCount()).toBe(sessions);
    }, 300_000);
  }

  it('a step whose loss is not finite changes nothing and stops the run in one line', async () => {
    const r = run({ type: 'sgd', momentum: 0, nesterov: false }, true, { learningRate: { base: 1e30, warmupEpochs: 0, decay: 'cosine' } });
    const error = await r.trainer.fit().catch((e: unknown) => e as Error & { code?: string });
    expect(error).toMatchObject({ code: 'NOT_FINITE' });
    expect(r.losses.length).toBeGreaterThan(0);
    // The state read back from TensorFlow is the one before the failed step: finite.
    for (const v of r.model.weights.values()) expect(Array.from(v.dataSync()).every(Number.isFinite)).toBe(true);
    r.trainer.dispose();
    r.model.dispose();
  }, 300_000);

  it('a run stopped and resumed from its checkpoint ends with the uninterrupted run\'s weights', async () => {
    const whole = run({ type: 'rmsprop' }, true);
    await whole.trainer.fit();
    const checkpointDir = join(dir, 'resume');
    const first = run({ type: 'rmsprop' }, true, { checkpointDir, maxSteps: 6 });
    await first.trainer.fit();
    first.trainer.dispose();
    first.model.dispose();
    const second = run({ type: 'rmsprop' }, true, { checkpointDir, resume: true });
    const r = await second.trainer.fit();
    expect(r.steps).toBe(16);
    expect(second.losses).toHaveLength(10);
    expect(worstRelative(whole.model, second.model)).toBeLessThan(1e-6);
    for (const t of [whole, second]) {
      t.trainer.dispose();
      t.model.dispose();
    }
    expect(tf.memory().numTensors).toBeLessThan(10_000);
  }, 300_000);
});
