import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerTestBlock, tinySpec } from '../test-support/tiny-network.js';
import { EffNetModel } from './effnet-model.js';
import { streamingVariableGrads } from './streaming-gradients.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerTestBlock();
});

function sameNumbers(a: tf.NamedTensorMap, b: tf.NamedTensorMap): void {
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  for (const k of Object.keys(a)) expect(Array.from(a[k]!.dataSync()), k).toEqual(Array.from(b[k]!.dataSync()));
}

/** An identity whose backward step records the bytes TF.js holds at that moment. */
function probe(record: number[]): (x: tf.Tensor) => tf.Tensor {
  return tf.customGrad(((x: tf.Tensor) => ({
    value: tf.clone(x),
    gradFunc: (dy: tf.Tensor) => {
      record.push(tf.memory().numBytes);
      return tf.clone(dy);
    },
  })) as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor) => tf.Tensor;
}

describe('streamingVariableGrads', () => {
  it('gives the same value and gradients as tf.variableGrads for a training step', () => {
    const model = new EffNetModel(tinySpec({ dropout: 0, dropPathRate: 0 }), { seed: 3 });
    const x = tf.randomNormal([3, 24, 24, 3], 0, 1, 'float32', 4);
    const y = tf.oneHot(tf.tensor1d([0, 4, 2], 'int32'), 5);
    const vars = model.trainableWeights();
    const loss = () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true, updateStatistics: false })) as tf.Scalar;
    const reference = tf.variableGrads(loss, vars);
    const before = tf.memory().numTensors;
    const streamed = streamingVariableGrads(loss, vars);
    expect(tf.memory().numTensors - before).toBe(1 + Object.keys(streamed.grads).length);
    expect(streamed.value.dataSync()[0]).toBe(reference.value.dataSync()[0]);
    sameNumbers(streamed.grads, reference.grads);
    tf.dispose([reference.value, streamed.value, ...Object.values(reference.grads), ...Object.values(streamed.grads), x, y]);
    model.dispose();
  });

  it('handles ops with several outputs, unused outputs, shared inputs and gradients passed through unchanged', () => {
    const w = tf.variable(tf.tensor2d([[1, -2, 3, 0.5], [0.25, 4, -1, 2]]), true, 'w');
    const v = tf.variable(tf.tensor1d([0.5, -1, 2, 3]), true, 'v');
    const unused = tf.variable(tf.scalar(7), true, 'unused');
    const keepSaved = tf.customGrad(((a: tf.Tensor, save: tf.GradSaveFunc) => {
      const doubled = tf.mul(a, 2);
      save([doubled]);
      return { value: doubled, gradFunc: (_dy: tf.Tensor, saved: tf.Tensor[]) => saved[0]! };
    }) as Parameters<typeof tf.customGrad>[0]) as (a: tf.Tensor) => tf.Tensor;
    const f = () => {
      const [left] = tf.split(tf.add(w, v), 2, 1);
      const s = tf.add(tf.mul(left!, left!), tf.clone(tf.slice(w, [0, 0], [2, 2])));
      return tf.add(tf.sum(keepSaved(s)), tf.sum(tf.exp(tf.mul(v, 0.1)))) as tf.Scalar;
    };
    const reference = tf.variableGrads(f, [w, v, unused]);
    const before = tf.memory().numTensors;
    const streamed = streamingVariableGrads(f, [w, v, unused]);
    expect(Object.keys(streamed.grads).sort()).toEqual(['v', 'w']);
    expect(tf.memory().numTensors - before).toBe(3);
    sameNumbers(streamed.grads, reference.grads);
    tf.dispose([reference.value, streamed.value, ...Object.values(reference.grads), ...Object.values(streamed.grads), w, v, unused]);
  });

  it('holds far less memory during the backward pass than tf.variableGrads', () => {
    const layers = 12;
    const weights = Array.from({ length: layers }, (_, i) => tf.variable(tf.randomNormal([64, 64], 0, 0.1, 'float32', i), true, `layer${i}`));
    const x = tf.randomNormal([256, 64], 0, 1, 'float32', 99);
    const peak = (grads: typeof streamingVariableGrads) => {
      const record: number[] = [];
      const p = probe(record);
      const { value, grads: g } = grads(() => {
        let h: tf.Tensor = x;
        for (const w of weights) h = p(tf.tanh(tf.matMul(h, w)));
        return tf.mean(tf.square(h)) as tf.Scalar;
      }, weights);
      tf.dispose([value, ...Object.values(g)]);
      return Math.max(...record);
    };
    const stock = peak((f, v) => tf.variableGrads(f, v) as ReturnType<typeof streamingVariableGrads>);
    const streamed = peak(streamingVariableGrads);
    // Each layer saves [256, 64] activations; TF.js also keeps every intermediate gradient until the end.
    expect(streamed).toBeLessThan(stock * 0.75);
    tf.dispose([x, ...weights]);
  });

  it('rejects a non-scalar result and a function that does not use the variables, leaking nothing', () => {
    const w = tf.variable(tf.ones([3]), true, 'w3');
    const before = tf.memory().numTensors;
    expect(() => streamingVariableGrads(() => tf.mul(w, 2) as unknown as tf.Scalar, [w])).toThrow(/scalar/);
    expect(() => streamingVariableGrads(() => tf.scalar(1), [w])).toThrow(/connection between any variable/);
    expect(tf.memory().numTensors).toBe(before);
    w.dispose();
  });
});
