// Heavy suite (npm run test:heavy): tfjs-node built against pip's TensorFlow by
// `effnet backend setup tfjs-node --from-python`. Skips, saying why, when it is not built.
import { tfjsNodeMissing } from './tfjs-node-missing.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseNpy, createModel, InferenceModel } from '@effnet/core';
import { registerBlocks } from '@effnet/blocks';
import { modelFromTimmCheckpoint, registerVariants } from '@effnet/scaling';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { sharedGolden } from '../../core/src/test-support/paths.js';
import { useBackend } from '../src/use-backend.js';
import { probeOps } from '../src/kernels/probe-ops.js';

const missing = tfjsNodeMissing();

describe.skipIf(!!missing)(`tfjs-node on a current TensorFlow${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it('reproduces the golden logits and trains like the other backends', async () => {
    registerBlocks();
    registerVariants();
    const info = await useBackend('tfjs-node');
    expect(tf.getBackend()).toBe('tensorflow');
    const dir = sharedGolden('dev-b0');
    const { model } = modelFromTimmCheckpoint(readFileSync(path.join(dir, 'weights.safetensors')), 'efficientnetv2-b0');
    const input = parseNpy(readFileSync(path.join(dir, 'input.npy')));
    const want = parseNpy(readFileSync(path.join(dir, 'logits.npy'))).data;
    const x = tf.tensor4d(input.data, input.shape as [number, number, number, number]);
    const fast = new InferenceModel(model);
    for (const y of [model.predict(x), fast.predict(x)]) {
      const got = (await y.data()) as Float32Array;
      y.dispose();
      const scale = Math.max(...want.map(Math.abs));
      expect(Math.max(...got.map((v, i) => Math.abs(v - want[i]!))) / scale).toBeLessThan(1e-3);
    }
    fast.dispose();
    model.dispose();
    x.dispose();
    const fresh = createModel('efficientnetv2-b0', { numClasses: 10, seed: 5, dropout: 0, dropPathRate: 0 });
    const bx = tf.randomNormal([8, 64, 64, 3], 0, 1, 'float32', 11);
    const by = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10);
    const opt = tf.train.adam(1e-3);
    const losses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const l = opt.minimize(() => tf.losses.softmaxCrossEntropy(by, fresh.apply(bx, { training: true })) as tf.Scalar, true, fresh.trainableWeights())!;
      losses.push((await l.data())[0]!);
      l.dispose();
    }
    expect(losses[2]!).toBeLessThan(losses[0]!);
    tf.dispose([bx, by]);
    opt.dispose();
    fresh.dispose();
    expect(info.name).toBe('tfjs-node');
  }, 300_000);

  it('has the image and bit kernels its addon lacks (Transform, RotateWithOffset, BitwiseAnd, DenseBincount)', async () => {
    await useBackend('cpu');
    const reference = await probeOps();
    await useBackend('tfjs-node');
    const got = await probeOps();
    for (const [name, want] of Object.entries(reference)) {
      expect(Math.max(...got[name]!.map((v, i) => Math.abs(v - want[i]!))), name).toBeLessThan(1e-3);
    }
  });
});
