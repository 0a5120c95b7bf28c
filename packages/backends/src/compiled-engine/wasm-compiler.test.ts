import { createModel, InferenceModel, type EffNetModel } from '@effnet/core';
import { registerBlocks } from '@effnet/blocks';
import { registerVariants } from '@effnet/scaling';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../use-backend.js';
import { kernelsIfLoaded, loadKernels } from './kernels-module.js';
import { wasmGraphCompiler } from './wasm-compiler.js';

/** The main job's architecture, with SE blocks, stride-2 stages and a residual of every kind. */
const ARCH = {
  blocks: ['r1_k3_s1_e1_i32_o16_c1', 'r2_k3_s1_e4_i16_o32_c1', 'r2_k3_s2_e4_i32_o48_c1', 'r3_k3_s2_e4_i48_o96_se0.25', 'r5_k3_s1_e6_i96_o112_se0.25', 'r8_k3_s2_e6_i112_o192_se0.25'],
  width: 0.25,
  depth: 0.25,
};

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** Largest |a - b| relative to the largest |b| (at least `floor`). */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-12): number {
  let diff = 0;
  let scale = floor;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

/** A resolved spec whose channel counts are not multiples of 4 (the kernels' partial lane groups). */
const ODD_CHANNELS = {
  name: 'odd-channels',
  stem: { channels: 6, kernel: 3, stride: 2 },
  stages: [
    { type: 'fused_mbconv', repeats: 2, kernel: 3, stride: 1, expandRatio: 3, inChannels: 6, outChannels: 6 },
    { type: 'mbconv', repeats: 2, kernel: 3, stride: 2, expandRatio: 3, inChannels: 6, outChannels: 10, seRatio: 0.25 },
  ],
  headChannels: 14,
  numClasses: 10,
  dropout: 0.3,
  dropPathRate: 0.4,
  activation: 'silu',
  bnEpsilon: 1e-3,
  bnMomentum: 0.9,
  trainSize: 16,
  evalSize: 16,
  preprocessing: { scale: 1, offset: 0, mean: [0, 0, 0], std: [1, 1, 1] },
};

function twin(activation?: string): [EffNetModel, EffNetModel] {
  const make = () =>
    activation === 'odd-channels'
      ? createModel(ODD_CHANNELS, { seed: 7 })
      : createModel({ ...ARCH, ...(activation ? { activation } : {}) }, { numClasses: 10, seed: 7, dropout: 0.3, dropPathRate: 0.4 });
  return [make(), make()];
}

/** A batch and mixup labels (two one-hot rows mixed 0.7 / 0.3). */
function batch(n: number, size: number, seed: number): { x: tf.Tensor4D; y: tf.Tensor2D } {
  return tf.tidy(() => {
    const x = tf.randomNormal([n, size, size, 3], 0, 1, 'float32', seed) as tf.Tensor4D;
    const a = tf.oneHot(
      tf.tensor1d(
        Array.from({ length: n }, (_, i) => (i * 3 + seed) % 10),
        'int32'
      ),
      10
    );
    const b = tf.oneHot(
      tf.tensor1d(
        Array.from({ length: n }, (_, i) => (i * 7 + 1) % 10),
        'int32'
      ),
      10
    );
    return { x, y: tf.add(tf.mul(a, 0.7), tf.mul(b, 0.3)) as tf.Tensor2D };
  });
}

beforeAll(async () => {
  registerBlocks();
  registerVariants();
  await useBackend('wasm');
  await loadKernels();
});

describe('the compiled wasm engine', () => {
  it.each([
    ['silu', 16, 6],
    ['relu6', 13, 5],
    ['hard_swish', 20, 4],
    ['odd-channels', 15, 3],
  ])('matches the eager pass over 3 steps (%s, %i px, dropout 0.3, stochastic depth 0.4, mixup)', (activation, size, n) => {
    const [eager, compiled] = twin(activation);
    const settings = {
      dropout: 0.3,
      dropPathRate: 0.4,
      updateStatistics: true,
    };
    for (let step = 0; step < 3; step++) {
      const { x, y } = batch(n, size, step + 1);
      const want = eager.trainingPass(x, y, { ...settings, engine: 'eager' });
      const got = wasmGraphCompiler.trainingPass(compiled, x, y, settings);
      expect(relativeError(got.loss.dataSync(), want.loss.dataSync())).toBeLessThan(1e-4);
      expect(relativeError(got.logits.dataSync(), want.logits.dataSync())).toBeLessThan(1e-4);
      const trainable = eager.weightDecls.filter((d) => d.trainable);
      expect(Object.keys(got.grads)).toHaveLength(trainable.length);
      const wanted = new Map(trainable.map((d) => [d.name, want.grads[eager.weights.get(d.name)!.name]!.dataSync()]));
      const largest = Math.max(...[...wanted.values()].map((g) => maxAbs(g)));
      for (const d of trainable) {
        const g = got.grads[compiled.weights.get(d.name)!.name];
        if (!g) throw new Error(`no gradient for ${d.name}`);
        const w = wanted.get(d.name)!;
        // Gradients that are zero by construction (the beta of a BatchNorm whose output feeds
        // only another BatchNorm) hold rounding noise on both paths: both must stay that small.
        const e = maxAbs(w) < 1e-4 * largest ? maxAbs(g.dataSync()) / largest : relativeError(g.dataSync(), w);
        if (e >= 1e-4) throw new Error(`step ${step}: gradient of ${d.name} differs by ${e}`);
      }
      for (const d of eager.weightDecls.filter((d) => !d.trainable)) {
        // Moving means of BatchNorms whose input is another's normalised output are ~0: 1e-3 floor.
        const e = relativeError(compiled.weights.get(d.name)!.dataSync(), eager.weights.get(d.name)!.dataSync(), 1e-3);
        if (e >= 1e-4) throw new Error(`step ${step}: ${d.name} differs by ${e}`);
      }
      // A plain SGD step on the eager model, copied to the compiled one: each step starts from
      // the same weights, so differences do not compound (the trainer test covers compounding).
      for (const d of eager.weightDecls) {
        const v = eager.weights.get(d.name)! as tf.Variable;
        if (d.trainable) tf.tidy(() => v.assign(tf.sub(v, tf.mul(want.grads[v.name]!, 0.05))));
        (compiled.weights.get(d.name)! as tf.Variable).assign(v);
      }
      tf.dispose([x, y, want.loss, want.logits, got.loss, got.logits, ...Object.values(want.grads), ...Object.values(got.grads)]);
    }
    eager.dispose();
    compiled.dispose();
  });

  it('runs inference with BatchNorm folded, as the eager folded model does, for any batch size', () => {
    const [model] = twin();
    const folded = new InferenceModel(model);
    const pass = wasmGraphCompiler.compileInference(folded, 24, 24, 'logits');
    for (const n of [1, 3]) {
      const { x, y } = batch(n, 24, n);
      const want = model.predict(x);
      const got = pass.predict(x);
      expect(got.shape).toEqual(want.shape);
      expect(relativeError(got.dataSync(), want.dataSync())).toBeLessThan(1e-4);
      tf.dispose([x, y, want, got]);
    }
    pass.dispose();
    folded.dispose();
    model.dispose();
  });

  it('leaves no tensors behind and keeps its memory flat over steps', () => {
    const [model] = twin();
    const settings = {
      dropout: 0.3,
      dropPathRate: 0.4,
      updateStatistics: true,
    };
    const { x, y } = batch(4, 16, 1);
    const run = () => {
      const p = wasmGraphCompiler.trainingPass(model, x, y, settings);
      tf.dispose([p.loss, p.logits, ...Object.values(p.grads)]);
    };
    run();
    const tensors = tf.memory().numTensors;
    const kernelsMemory = (globalThis as { __effnetKernelsMemory?: number }).__effnetKernelsMemory;
    void kernelsMemory;
    for (let i = 0; i < 10; i++) run();
    expect(tf.memory().numTensors).toBe(tensors);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('declines a pass larger than its memory can hold, so that auto runs it op by op', () => {
    const k = kernelsIfLoaded()!;
    expect(() => k.ensure(k.maxBytes + 65536)).toThrow(expect.objectContaining({ code: 'GRAPH_UNSUPPORTED', message: expect.stringMatching(/needs \d+ MiB of the compiled engine's memory, which holds at most \d+ MiB/) }));
    expect(k.memory.buffer.byteLength).toBeLessThanOrEqual(k.maxBytes);
  });
});
