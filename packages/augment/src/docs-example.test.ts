import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getRegistry, SeededRandom } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { AugmentPipeline } from './pipeline.js';
import { registerAugmentations } from './register.js';
import { imageValues, randomBatch } from './test-support/batches.js';
import { randomFlip } from './test-support/random-flip.js';

const GUIDE = fileURLToPath(new URL('../../../docs/guides/augmentation-plugin.md', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('./test-support/random-flip.ts', import.meta.url));

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerAugmentations();
});

describe('the custom plugin of docs/guides/augmentation-plugin.md', () => {
  it('is the code block of the guide', () => {
    const guide = readFileSync(GUIDE, 'utf8');
    const block = /## A custom augmentation in a few lines\n[\s\S]*?```ts[^\n]*\n([\s\S]*?)```/.exec(guide)?.[1];
    expect(block).toBe(readFileSync(EXAMPLE, 'utf8'));
  });

  it('is registered and flips exactly the images it drew', () => {
    expect(getRegistry('augmentation').get('random-flip')).toBe(randomFlip);
    const { images, labels } = randomBatch(6, 5, 7, 3);
    const params = randomFlip.sample({ batchSize: 6, height: 5, width: 7, channels: 3 }, new SeededRandom(3), {});
    expect(params.some((f) => f) && params.some((f) => !f)).toBe(true);
    const out = randomFlip.apply(images, params);
    const flipped = tf.reverse(images, 2);
    params.forEach((flip, i) => expect(imageValues(out, i)).toEqual(imageValues(flip ? flipped : images, i)));
    tf.dispose([images, labels, out, flipped]);
  });

  it('runs end to end with RandAugment and mixup, reproducibly', () => {
    const pipeline = new AugmentPipeline([
      'random-flip',
      { name: 'randaugment', options: { numOps: 2, magnitude: 9 } },
      { name: 'mixup', options: { mixupAlpha: 0.2, cutmixAlpha: 1, labelSmoothing: 0.1 } },
    ]);
    expect(pipeline.names).toEqual(['random-flip', 'randaugment', 'mixup']);
    const { images, labels } = randomBatch(8, 24, 20, 4);
    const before = tf.memory().numTensors;
    const a = pipeline.run(images, labels, new SeededRandom(42));
    const b = pipeline.run(images, labels, new SeededRandom(42));
    expect(a.images.shape).toEqual([8, 24, 20, 3]);
    expect(a.labels!.shape).toEqual([8, 4]);
    expect([...a.images.dataSync()]).toEqual([...b.images.dataSync()]);
    expect([...a.labels!.dataSync()]).toEqual([...b.labels!.dataSync()]);
    const labelValues = a.labels!.dataSync();
    for (let i = 0; i < 8; i++) expect([...labelValues.slice(i * 4, i * 4 + 4)].reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    const values = a.images.dataSync();
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThanOrEqual(255);
    expect([...values]).not.toEqual([...images.dataSync()]);
    tf.dispose([a.images, a.labels!, b.images, b.labels!]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([images, labels]);
  });
});
