import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InferenceModel, parseNpy, type EffNetModel } from '@effnet/core';
import { registerBlocks } from '@effnet/blocks';
import { modelFromTimmCheckpoint, registerVariants } from '@effnet/scaling';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { sharedGolden } from '../../core/src/test-support/paths.js';
import { useBackend } from './use-backend.js';

const BACKENDS = ['cpu', 'wasm', 'webgpu'] as const;
const dir = sharedGolden('dev-b0');
const weights = readFileSync(path.join(dir, 'weights.safetensors'));
const npy = (f: string) => parseNpy(readFileSync(path.join(dir, f)));

beforeAll(() => {
  registerBlocks();
  registerVariants();
  tf.enableProdMode();
});

/** One training step's loss and gradients (by weight name) from the golden weights and a fixed batch. */
async function trainingStep(model: EffNetModel): Promise<{ loss: number; grads: Map<string, Float32Array> }> {
  const x = tf.tensor4d(npy('input.npy').data, [2, 96, 96, 3]);
  const y = tf.oneHot(tf.tensor1d([3, 7], 'int32'), 10);
  const names = model.weightDecls.filter((d) => d.trainable).map((d) => d.name);
  const vars = names.map((n) => model.weights.get(n)!);
  const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true, updateStatistics: false, dropout: 0, dropPathRate: 0 })) as tf.Scalar, vars);
  const out = new Map<string, Float32Array>();
  for (const [i, n] of names.entries()) out.set(n, (await grads[vars[i]!.name]!.data()) as Float32Array);
  const loss = (await value.data())[0]!;
  tf.dispose([x, y, value, ...Object.values(grads)]);
  return { loss, grads: out };
}

const results = new Map<string, { logits: Float32Array; loss: number; grads: Map<string, Float32Array> }>();

describe.each(BACKENDS)('%s backend', (backend) => {
  it('reproduces the golden logits, then a training step, and 3 steps lower the loss', async () => {
    await useBackend(backend);
    const { model } = modelFromTimmCheckpoint(weights, 'efficientnetv2-b0');
    const input = npy('input.npy');
    const x = tf.tensor4d(input.data, input.shape as [number, number, number, number]);
    model.predict(x).dispose();
    const before = tf.memory().numTensors;
    const logits = model.predict(x);
    const got = (await logits.data()) as Float32Array;
    logits.dispose();
    model.predict(x).dispose();
    expect(tf.memory().numTensors).toBe(before);
    const want = npy('logits.npy').data;
    const scale = Math.max(...want.map(Math.abs));
    expect(Math.max(...got.map((v, i) => Math.abs(v - want[i]!))) / scale).toBeLessThan(1e-3);
    const fast = new InferenceModel(model);
    const folded = fast.predict(x);
    const gotFolded = (await folded.data()) as Float32Array;
    expect(Math.max(...gotFolded.map((v, i) => Math.abs(v - want[i]!))) / scale).toBeLessThan(1e-3);
    tf.dispose([folded]);
    fast.dispose();
    x.dispose();
    const step = await trainingStep(model);
    results.set(backend, { logits: got, ...step });
    model.dispose();

    // 3 optimizer steps of efficientnetv2-b0 (10 classes, 64x64, batch 8): the loss falls.
    const { createModel } = await import('@effnet/core');
    const fresh = createModel('efficientnetv2-b0', { numClasses: 10, seed: 5, dropout: 0, dropPathRate: 0 });
    const bx = tf.randomNormal([8, 64, 64, 3], 0, 1, 'float32', 11);
    const by = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10);
    const opt = tf.train.adam(1e-3);
    const losses: number[] = [];
    let tensors = 0;
    for (let i = 0; i < 3; i++) {
      const l = opt.minimize(() => tf.losses.softmaxCrossEntropy(by, fresh.apply(bx, { training: true })) as tf.Scalar, true, fresh.trainableWeights())!;
      losses.push((await l.data())[0]!);
      l.dispose();
      if (i === 1) tensors = tf.memory().numTensors;
      if (i === 2) expect(tf.memory().numTensors).toBe(tensors);
    }
    expect(losses[2]!).toBeLessThan(losses[0]!);
    tf.dispose([bx, by]);
    opt.dispose();
    fresh.dispose();
  });
});

describe('across backends', () => {
  it('one training step gives the same loss and gradients (1e-3 relative)', () => {
    const ref = results.get('cpu')!;
    // Some gradients are zero in exact arithmetic (e.g. the shift of a BatchNorm whose output
    // only feeds another BatchNorm in training mode): compare each against its own size, but
    // never against less than 1e-3 of the model's largest gradient.
    let globalMax = 0;
    for (const g of ref.grads.values()) for (const v of g) globalMax = Math.max(globalMax, Math.abs(v));
    for (const backend of BACKENDS.slice(1)) {
      const other = results.get(backend)!;
      expect(Math.abs(other.loss - ref.loss) / Math.abs(ref.loss)).toBeLessThan(1e-3);
      for (const [name, g] of ref.grads) {
        const h = other.grads.get(name)!;
        let num = 0;
        let den = 0;
        for (let i = 0; i < g.length; i++) {
          num = Math.max(num, Math.abs(h[i]! - g[i]!));
          den = Math.max(den, Math.abs(g[i]!));
        }
        expect(num / Math.max(den, 1e-3 * globalMax), `${backend} ${name}`).toBeLessThan(1e-3);
      }
    }
  });
});
