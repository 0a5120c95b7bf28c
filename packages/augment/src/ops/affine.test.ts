import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { imageValues, randomBatch } from '../test-support/batches.js';
import { affineTransform, transformHandlesBatches, type AffineMatrix } from './affine.js';
import { rotationMatrix } from './geometry.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('affineTransform on a batch', () => {
  const matrices: AffineMatrix[] = [rotationMatrix(20, 9, 11), [1, 0.3, 0, 0, 1, 0], [1, 0, -3, 0, 1, 2], [1, 0, 0, 0, 1, 0]];

  it('warps every image by its own matrix, as one-image calls do', () => {
    const { images, labels } = randomBatch(4, 9, 11, 2);
    const batched = affineTransform(images, matrices, 128);
    matrices.forEach((m, i) => {
      const one = tf.slice(images, [i, 0, 0, 0], [1, -1, -1, -1]);
      const alone = affineTransform(one, [m], 128);
      expect(imageValues(batched, i)).toEqual(imageValues(alone, 0));
      tf.dispose([one, alone]);
    });
    expect(imageValues(batched, 3)).toEqual(imageValues(images, 3));
    tf.dispose([images, labels, batched]);
  });

  it('detects whether tf.image.transform handles batches on this backend', () => {
    const { images, labels } = randomBatch(4, 9, 11, 2);
    const ours = affineTransform(images, matrices, 128);
    const t = matrices.map(([a, b, c, d, e, f]) => [a, b, c + 0.5 * a + 0.5 * b - 0.5, d, e, f + 0.5 * d + 0.5 * e - 0.5, 0, 0]);
    const direct = tf.image.transform(images, tf.tensor2d(t), 'nearest', 'constant', 128);
    // TF.js 4.22's cpu kernel transforms only image 0; the probe must say so exactly when it happens.
    const same = [...direct.dataSync()].every((v, i) => v === ours.dataSync()[i]);
    expect(transformHandlesBatches()).toBe(same);
    tf.dispose([images, labels, ours, direct]);
  });
});
