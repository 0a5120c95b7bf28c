import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { maskValues } from './random-masks.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('maskValues', () => {
  const shape = [64, 40];
  it.each([0, 0.05, 0.1, 0.3, 0.5, 0.9])('gives the bits of TF.js\'s own op chains (rate %f)', (rate) => {
    for (const seed of [1, 77, 123456]) {
      const dropout = tf.tidy(() => tf.dropout(tf.ones(shape), rate, undefined, seed).dataSync() as Float32Array);
      expect(Array.from(maskValues('dropout', rate, shape, seed))).toEqual(Array.from(dropout));
      const keep = 1 - rate;
      const kept = tf.tidy(() => tf.floor(tf.add(keep, tf.randomUniform(shape, 0, 1, 'float32', seed))).dataSync() as Float32Array);
      expect(Array.from(maskValues('keep', keep, shape, seed))).toEqual(Array.from(kept));
      const scaled = tf.tidy(() => tf.div(tf.floor(tf.add(keep, tf.randomUniform(shape, 0, 1, 'float32', seed))), keep).dataSync() as Float32Array);
      expect(Array.from(maskValues('keep-scaled', keep, shape, seed))).toEqual(Array.from(scaled));
    }
  });

  it('leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    maskValues('dropout', 0.2, shape, 5);
    expect(tf.memory().numTensors).toBe(before);
  });
});
