import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { invertPermutation } from './external-names.js';
import { permuteAxes } from './permute.js';

describe('permuteAxes', () => {
  it('matches tf.transpose for the layouts used by checkpoints', async () => {
    for (const [shape, perm] of [
      [[5, 3, 2, 4], [2, 3, 1, 0]],
      [[6, 1, 3, 3], [2, 3, 0, 1]],
      [[7, 4], [1, 0]],
    ] as [number[], number[]][]) {
      const data = Float32Array.from({ length: shape.reduce((a, b) => a * b) }, (_, i) => i);
      const expected = await tf.transpose(tf.tensor(data, shape), perm).data();
      expect([...permuteAxes(data, shape, perm)]).toEqual([...expected]);
      const back = permuteAxes(permuteAxes(data, shape, perm), perm.map((p) => shape[p]!), invertPermutation(perm));
      expect([...back]).toEqual([...data]);
    }
  });
});
