// Training with the state kept in wasm's compiled engine (the weights, optimizer slots, EMA and
// BatchNorm statistics in its memory; a step is one run of the pass and the update) against the
// same trainer moving the state through the host: every optimizer with weight decay and an EMA
// over two stages; a step whose loss is not finite changes nothing; an evaluation between steps
// (another program in the engine's memory) loses nothing; memory stays flat.
import type { OptimizerConfig } from '@effnet/progressive';
import { registerBlocks } from '@effnet/blocks';
import { registerVariants } from '@effnet/scaling';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectNonFiniteStepStops, expectResidentMatchesHost, residentRun } from '../test-support/engine-trainer-run.js';
import { useBackend } from '../use-backend.js';
import { kernelsIfLoaded } from './kernels-module.js';

beforeAll(async () => {
  registerBlocks();
  registerVariants();
  await useBackend('wasm');
});

describe('training with the state in the compiled wasm engine', () => {
  const optimizers: OptimizerConfig[] = [{ type: 'rmsprop' }, { type: 'sgd', momentum: 0.9, nesterov: true }, { type: 'adamw' }];
  for (const optimizer of optimizers) {
    it(`${optimizer.type}: same losses, weights, EMA evaluation and statistics as the state on the host`, async () => {
      // An evaluation every 5 steps takes the engine's memory in between: the state must survive it.
      await expectResidentMatchesHost(optimizer, { evalEvery: 5 });
    }, 300_000);
  }

  it('a step whose loss is not finite changes nothing and stops the run in one line', async () => {
    await expectNonFiniteStepStops();
  }, 300_000);

  it('keeps tensor counts and the engine\'s memory flat over 50 steps', async () => {
    const counts: number[] = [];
    const memory: number[] = [];
    const r = residentRun({ type: 'rmsprop' }, true, {
      maxSteps: 60,
      schedule: { name: 'flat', stages: [{ startEpoch: 0, endEpoch: 20, imageSize: 16, dropout: 0.1, randAugmentMagnitude: 0, mixupAlpha: 0, cutmixAlpha: 0 }], evalSize: 16 },
      onEvent: (e) => {
        if (e.type !== 'step') return;
        counts.push(tf.memory().numTensors);
        memory.push(kernelsIfLoaded()!.memory.buffer.byteLength);
      },
    });
    await r.trainer.fit();
    expect(r.trainer.stateInEngine).toBe(true);
    expect(counts.length).toBe(60);
    // From step 10 on (the last few excepted: the batch pipeline stops reading ahead there).
    expect(new Set(counts.slice(10, 56))).toEqual(new Set([counts[10]]));
    expect(new Set(memory.slice(10))).toEqual(new Set([memory[10]]));
    r.trainer.dispose();
    r.model.dispose();
  }, 300_000);
});
