// The trainer on wasm's compiled engine against the same run op by op (two stages of rising size
// and dropout, mixup and CutMix, micro-batches, stochastic depth, EMA); the golden B0 logits; and
// a flat memory over 50 steps.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InferenceModel, parseNpy } from '@effnet/core';
import { registerBlocks } from '@effnet/blocks';
import { modelFromTimmCheckpoint, registerVariants } from '@effnet/scaling';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { sharedGolden } from '../../../core/src/test-support/paths.js';
import { tinyModel } from '../../../progressive/src/test-support/tiny.js';
import { expectSameTraining, trainTiny } from '../test-support/engine-trainer-run.js';
import { useBackend } from '../use-backend.js';
import { kernelsIfLoaded } from './kernels-module.js';
import { wasmGraphCompiler } from './wasm-compiler.js';

beforeAll(async () => {
  registerBlocks();
  registerVariants();
  await useBackend('wasm');
});

describe('the compiled wasm engine in training and inference', () => {
  it('trains as the op-by-op run does over two stages: same losses and weights step for step, no tensor growth', async () => {
    const eager = await trainTiny('eager');
    const compiled = await trainTiny('graph');
    expectSameTraining(eager, compiled);
    eager.model.dispose();
    compiled.model.dispose();
  }, 300_000);

  it('reproduces the golden B0 logits within 1e-4', () => {
    const dir = sharedGolden('dev-b0');
    const npy = (f: string) => parseNpy(readFileSync(path.join(dir, f)));
    const { model } = modelFromTimmCheckpoint(readFileSync(path.join(dir, 'weights.safetensors')), 'efficientnetv2-b0');
    const input = npy('input.npy');
    const x = tf.tensor4d(input.data, input.shape as [number, number, number, number]);
    const folded = new InferenceModel(model, 'graph');
    const logits = folded.predict(x);
    const got = logits.dataSync();
    const want = npy('logits.npy').data;
    const scale = Math.max(...want.map(Math.abs));
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
    expect(worst / scale).toBeLessThan(1e-4);
    tf.dispose([x, logits]);
    folded.dispose();
    model.dispose();
  });

  it('keeps tensor counts and its memory flat over 50 steps', () => {
    const model = tinyModel(3, 7);
    const x = tf.randomNormal([8, 16, 16, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const y = tf.cast(tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3), 'float32') as tf.Tensor2D;
    const settings = { dropout: 0.2, dropPathRate: 0.2, updateStatistics: true };
    const step = () => {
      const p = wasmGraphCompiler.trainingPass(model, x, y, settings);
      tf.dispose([p.loss, p.logits, ...Object.values(p.grads)]);
    };
    step();
    const tensors = tf.memory().numTensors;
    const bytes = kernelsIfLoaded()!.memory.buffer.byteLength;
    for (let i = 0; i < 50; i++) step();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(kernelsIfLoaded()!.memory.buffer.byteLength).toBe(bytes);
    tf.dispose([x, y]);
    model.dispose();
  });
});
