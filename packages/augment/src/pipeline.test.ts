import { getRegistry, isEffnetError, SeededRandom } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { AugmentPipeline } from './pipeline.js';
import { getAugmentation } from './plugin.js';
import { builtinAugmentations, registerAugmentations } from './register.js';
import { randomBatch } from './test-support/batches.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerAugmentations();
});

describe('augmentation registry and pipeline', () => {
  it('registers the built-ins under the augmentation kind, idempotently', () => {
    registerAugmentations();
    expect(getRegistry('augmentation').names()).toEqual(builtinAugmentations.map((p) => p.name));
    expect(() => getAugmentation('randaugmnet')).toThrow(/unknown augmentation "randaugmnet". Did you mean "randaugment"\?/);
  });

  it('checks options when the pipeline is built', () => {
    let error: unknown;
    try {
      new AugmentPipeline([{ name: 'randaugment', options: { magnitude: -2 } }]);
    } catch (e) {
      error = e;
    }
    expect(isEffnetError(error)).toBe(true);
    expect((error as Error).message).toBe('randaugment.magnitude: is too small (expected >= 0, got -2)');
  });

  it('keeps parameters as plain data and refuses a batch of another size', () => {
    const pipeline = new AugmentPipeline(['randaugment', { name: 'mixup', options: { cutmixAlpha: 1 } }]);
    const params = pipeline.sample({ batchSize: 4, height: 8, width: 8, channels: 3, numClasses: 2 }, new SeededRandom(1));
    expect(JSON.parse(JSON.stringify(params))).toEqual(params);
    const { images, labels } = randomBatch(3, 8, 8, 2);
    expect(() => pipeline.apply(images, labels, params)).toThrow(/images: images do not fit the sampled parameters \(expected \[4, H, W, C\], got \[3, 8, 8, 3\]\)/);
    tf.dispose([images, labels]);
  });

  it('leaks no tensors over repeated batches', () => {
    const pipeline = new AugmentPipeline([{ name: 'randaugment', options: { magnitude: 9 } }, { name: 'mixup', options: { mixupAlpha: 0.2, cutmixAlpha: 1 } }]);
    const { images, labels } = randomBatch(8, 16, 16, 4);
    const rng = new SeededRandom(2);
    const counts: number[] = [];
    for (let step = 0; step < 6; step++) {
      const out = pipeline.run(images, labels, rng);
      tf.dispose([out.images, out.labels!]);
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts).size).toBe(1);
    tf.dispose([images, labels]);
  });
});
