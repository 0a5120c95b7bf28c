import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { EffnetError } from '../errors.js';
import { registerTestBlock, tinySpec } from '../test-support/tiny-network.js';
import { EffNetModel } from './effnet-model.js';
import { InferenceModel } from './fold-batchnorm.js';
import { graphCompilerFor, registerGraphCompiler, resolveEngine, unregisterGraphCompiler, type GraphCompiler } from './graph-compiler.js';
import { streamingVariableGrads } from './streaming-gradients.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerTestBlock();
});

afterEach(() => {
  unregisterGraphCompiler('cpu');
});

/** A compiler for the cpu backend that declines every network (as one does for an op it cannot express), or fails otherwise. */
const decliningCompiler = (code: string): GraphCompiler => ({
  backend: 'cpu',
  compileInference() {
    throw new EffnetError(code, 'declined');
  },
  trainingPass() {
    throw new EffnetError(code, 'declined');
  },
});

describe('graph compilers and engines', () => {
  it('registers one compiler per backend and resolves engines', () => {
    expect(resolveEngine('auto', 'cpu')).toBeUndefined();
    expect(resolveEngine('eager', 'cpu')).toBeUndefined();
    expect(() => resolveEngine('graph', 'cpu')).toThrow(/engine: the active backend cannot run compiled graphs.*graph on cpu/);
    const c = decliningCompiler('GRAPH_UNSUPPORTED');
    registerGraphCompiler(c);
    expect(graphCompilerFor('cpu')).toBe(c);
    expect(() => registerGraphCompiler(c)).toThrow(/already has a graph compiler/);
    expect(resolveEngine('auto', 'cpu')).toBe(c);
    expect(resolveEngine('eager', 'cpu')).toBeUndefined();
    expect(unregisterGraphCompiler('cpu')).toBe(true);
    expect(graphCompilerFor('cpu')).toBeUndefined();
  });

  it('runs the eager training pass: the streaming gradients of the mean cross-entropy, keyed by variable name', () => {
    const a = new EffNetModel(tinySpec(), { seed: 4 });
    const b = new EffNetModel(tinySpec(), { seed: 4 });
    const x = tf.randomNormal([3, 16, 16, 3], 0, 1, 'float32', 2);
    const labels = tf.oneHot(tf.tensor1d([0, 4, 2], 'int32'), 5) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const pass = a.trainingPass(x, labels, { dropout: 0.2 });
    const ref = streamingVariableGrads(() => tf.losses.softmaxCrossEntropy(tf.cast(labels, 'float32'), b.apply(x, { training: true, dropout: 0.2 })) as tf.Scalar, b.trainableWeights());
    expect(pass.loss.dataSync()[0]).toBeCloseTo(ref.value.dataSync()[0]!, 6);
    expect(pass.logits.shape).toEqual([3, 5]);
    const names = a.trainableWeights().map((v) => v.name);
    expect(Object.keys(pass.grads).sort()).toEqual([...names].sort());
    a.trainableWeights().forEach((v, i) => {
      const other = b.trainableWeights()[i]!;
      expect(Array.from(pass.grads[v.name]!.dataSync())).toEqual(Array.from(ref.grads[other.name]!.dataSync()));
    });
    tf.dispose([pass.loss, pass.logits, ...Object.values(pass.grads), ref.value, ...Object.values(ref.grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, labels]);
    a.dispose();
    b.dispose();
  });

  it('checks the labels, and falls back to eager only when a compiler declines the network', () => {
    const model = new EffNetModel(tinySpec(), { seed: 1 });
    const x = tf.zeros([2, 16, 16, 3]);
    const labels = tf.tensor2d([[1, 0, 0, 0, 0], [0, 1, 0, 0, 0]]);
    expect(() => model.trainingPass(x, tf.zeros([2, 3]) as tf.Tensor2D)).toThrow(/labels must be \[batch, classes\].*expected \[2,5\], got \[2,3\]/);
    registerGraphCompiler(decliningCompiler('GRAPH_UNSUPPORTED'));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const pass = model.trainingPass(x, labels);
    tf.dispose([pass.loss, pass.logits, ...Object.values(pass.grads)]);
    // The fallback says why, in one line, once.
    const again = model.trainingPass(x, labels);
    tf.dispose([again.loss, again.logits, ...Object.values(again.grads)]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/^effnet: cpu's compiled engine cannot run this network \(.*declined.*\); running it op by op$/);
    warn.mockRestore();
    expect(() => model.trainingPass(x, labels, { engine: 'graph' })).toThrow(/declined/);
    const inference = new InferenceModel(model);
    tf.dispose(inference.predict(x));
    inference.dispose();
    unregisterGraphCompiler('cpu');
    registerGraphCompiler(decliningCompiler('GRAPH_RUN_FAILED'));
    expect(() => model.trainingPass(x, labels)).toThrow(/declined/);
    expect(() => new InferenceModel(model).predict(x)).toThrow(/declined/);
    tf.dispose([x, labels]);
    model.dispose();
  });

  it('runs dispose hooks once, when the model is disposed', () => {
    const model = new EffNetModel(tinySpec());
    let calls = 0;
    model.onDispose(() => calls++);
    model.dispose();
    model.dispose();
    expect(calls).toBe(1);
  });
});
