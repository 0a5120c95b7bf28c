import * as tf from '@tensorflow/tfjs-core';
import { registerAugmentation, type AugmentationPlugin } from '@effnet/augment';

/** Flips each image left-right with probability 1/2. */
export const randomFlip: AugmentationPlugin<boolean[]> = {
  name: 'random-flip',
  // Phase 1: draw the random choices for the batch, as plain data, from the seeded generator.
  sample: (batch, rng) => Array.from({ length: batch.batchSize }, () => rng.next() < 0.5),
  // Phase 2: apply them to the whole batch at once, on the device.
  apply: (images, flips) =>
    tf.tidy(() => tf.where(tf.tensor4d(flips, [flips.length, 1, 1, 1], 'bool'), tf.reverse(images, 2), images)),
};

registerAugmentation(randomFlip);
