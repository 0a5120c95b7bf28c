import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomBatch } from '../test-support/batches.js';
import { channelHistograms, exclusiveCumsum } from './histogram.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('channel histograms', () => {
  it('count every value per image and channel, the same with bincount and with one-hot products', () => {
    const { images, labels } = randomBatch(3, 7, 9, 2);
    const values = images.dataSync();
    const expected = new Array<number>(3 * 3 * 256).fill(0);
    values.forEach((v, i) => {
      const image = Math.floor(i / (7 * 9 * 3));
      expected[(image * 3 + (i % 3)) * 256 + v]! += 1;
    });
    const viaOneHot = channelHistograms(images, 'one-hot');
    const viaBincount = channelHistograms(images, 'bincount');
    expect([...viaOneHot.dataSync()]).toEqual(expected);
    expect([...viaBincount.dataSync()]).toEqual(expected);
    const below = exclusiveCumsum(viaOneHot).dataSync();
    expect(below[0]).toBe(0);
    expect(below[255]).toBe(7 * 9 - expected[255]!);
    tf.dispose([images, labels, viaOneHot, viaBincount]);
  });
});
