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
import { expectNonFiniteStepStops, expectResidentMatchesHost, residentRun, worstRelative } from '../src/test-support/engine-trainer-run.js';
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
      await expectResidentMatchesHost(optimizer);
      expect(await nativeSessionCount()).toBe(sessions);
    }, 300_000);
  }

  it('a step whose loss is not finite changes nothing and stops the run in one line', async () => {
    await expectNonFiniteStepStops();
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
