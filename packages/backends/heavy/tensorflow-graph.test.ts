// Heavy suite: the compiled TensorFlow graphs (inference and training passes) that the tfjs-node
// backend runs, checked against the eager passes on the same backend. Skips, saying why, when
// tfjs-node is not built here.
import { nativeSessionCount, tfjsNodeMissing } from './tfjs-node-missing.js';
import { createModel, InferenceModel, resolveArchitecture, type ActivationName } from '@effnet/core';
import { registerBlocks } from '@effnet/blocks';
import { registerVariants } from '@effnet/scaling';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../src/use-backend.js';

const missing = tfjsNodeMissing();

/** Largest difference relative to the reference's largest magnitude (at least `floor`: some gradients are zero but for rounding). */
const maxRelative = (a: Float32Array, b: Float32Array, floor = 1e-4) => {
  let scale = floor;
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]!));
    worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  }
  return worst / scale;
};

/** A half-width, half-depth B0 with the given activation and regularisation. */
const smallB0 = (activation: ActivationName, seed: number, dropout = 0, dropPathRate = 0) =>
  createModel({ ...resolveArchitecture({ base: 'efficientnetv2-b0', width: 0.5, depth: 0.5 }, { numClasses: 10, dropout, dropPathRate }), activation }, { seed });

describe.skipIf(!!missing)(`TensorFlow graphs on tfjs-node${missing ? ` (skipped: ${missing})` : ''}`, () => {
  beforeAll(async () => {
    registerBlocks();
    registerVariants();
    await useBackend('tfjs-node');
  });

  it.each(['silu', 'relu6'] as const)('a compiled inference pass gives the eager logits (%s)', async (activation) => {
    const model = smallB0(activation, 3);
    const x = tf.randomNormal([2, 64, 48, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const eager = new InferenceModel(model, 'eager');
    const graph = new InferenceModel(model, 'graph');
    const want = (await eager.predict(x).data()) as Float32Array;
    const got = (await graph.predict(x).data()) as Float32Array;
    expect(maxRelative(got, want)).toBeLessThan(1e-4);
    // Each compiled size holds one native session, freed with the model that compiled it.
    const sessions = await nativeSessionCount();
    tf.dispose(graph.predict(tf.zeros([1, 32, 32, 3])));
    expect(await nativeSessionCount()).toBe(sessions + 1);
    eager.dispose();
    graph.dispose();
    expect(await nativeSessionCount()).toBe(sessions - 1);
    model.dispose();
    x.dispose();
  }, 120_000);

  // At 16 px the last stages run on 2x2 and 1x1 maps, where the depthwise filter gradients take
  // their small-map forms (a larger batch there: BatchNorm over 4 values of a 1x1 map amplifies rounding).
  it.each([
    ['silu', 40, 4],
    ['relu', 40, 4],
    ['hard_swish', 40, 4],
    ['silu', 16, 16],
  ] as const)('a compiled training pass gives the eager loss, gradients, masks and BatchNorm statistics (%s, %i px, batch %i)', async (activation, size, batch) => {
    const make = () => smallB0(activation, 3, 0.3, 0.4);
    const eager = make();
    const graph = make();
    const x = tf.randomNormal([batch, size, size, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const four = tf.tensor2d([[0.7, 0.3, 0, 0, 0, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0.5, 0.5, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0, 0, 1]]);
    const y = tf.tile(four, [batch / 4, 1]);
    four.dispose();
    let before = 0;
    for (let step = 0; step < 3; step++) {
      const a = eager.trainingPass(x, y, { engine: 'eager' });
      const b = graph.trainingPass(x, y, { engine: 'graph' });
      expect(Math.abs(b.loss.dataSync()[0]! - a.loss.dataSync()[0]!)).toBeLessThan(1e-4 * Math.abs(a.loss.dataSync()[0]!));
      expect(maxRelative(b.logits.dataSync() as Float32Array, a.logits.dataSync() as Float32Array)).toBeLessThan(1e-4);
      const names = eager.weightDecls.filter((d) => d.trainable).map((d) => d.name);
      expect(Object.keys(b.grads)).toHaveLength(names.length);
      for (const name of names) {
        const ga = a.grads[eager.weights.get(name)!.name]!.dataSync() as Float32Array;
        const gb = b.grads[graph.weights.get(name)!.name]!.dataSync() as Float32Array;
        expect(maxRelative(gb, ga, 1e-2), name).toBeLessThan(1e-3);
      }
      for (const d of eager.weightDecls.filter((w) => w.kind === 'bn_moving_variance' || w.kind === 'bn_moving_mean')) {
        expect(maxRelative(graph.weights.get(d.name)!.dataSync() as Float32Array, eager.weights.get(d.name)!.dataSync() as Float32Array), d.name).toBeLessThan(1e-3);
      }
      tf.dispose([a.loss, a.logits, b.loss, b.logits, ...Object.values(a.grads), ...Object.values(b.grads)]);
      // The first pass creates what later passes reuse; after it, no pass may leave tensors behind.
      if (step === 0) before = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
    eager.dispose();
    const sessions = await nativeSessionCount();
    graph.dispose();
    expect(await nativeSessionCount()).toBe(sessions - 1);
  }, 300_000);

  it('a network the compiler cannot express runs eagerly under auto, and fails clearly under graph', () => {
    const model = smallB0('gelu', 2);
    const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const y = tf.oneHot(tf.tensor1d([1, 2], 'int32'), 10) as tf.Tensor2D;
    const pass = model.trainingPass(x, y);
    expect(pass.loss.dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([pass.loss, pass.logits, ...Object.values(pass.grads)]);
    expect(() => model.trainingPass(x, y, { engine: 'graph' })).toThrow(/activation "gelu" has no TensorFlow graph form/);
    const inference = new InferenceModel(model, 'graph');
    expect(() => inference.predict(x)).toThrow(/GRAPH_UNSUPPORTED|activation "gelu"/);
    inference.dispose();
    tf.dispose([x, y]);
    model.dispose();
  }, 120_000);

  it('bad feeds and disposed sessions fail with a clear message', () => {
    const model = smallB0('silu', 1);
    const x = tf.zeros([2, 32, 32, 3]) as tf.Tensor4D;
    expect(() => model.trainingPass(x, tf.zeros([2, 7]) as tf.Tensor2D)).toThrow(/labels must be \[batch, classes\].*expected \[2,10\], got \[2,7\]/);
    const inference = new InferenceModel(model);
    tf.dispose(inference.predict(x));
    inference.dispose();
    model.dispose();
    expect(() => model.trainingPass(x, tf.zeros([2, 10]) as tf.Tensor2D)).toThrow(/disposed/);
    x.dispose();
  }, 120_000);
});
