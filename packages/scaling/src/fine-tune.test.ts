import { readFileSync } from 'node:fs';
import path from 'node:path';
import { preprocessImages, type EffNetModel } from '@effnet/core';
import { registerBlocks } from '@effnet/blocks';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../core/src/test-support/paths.js';
import { modelFromKerasWeights } from './keras-import.js';
import { registerVariants } from './register.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerBlocks();
  registerVariants();
});

/** A small synthetic image set: class 0 reddish, class 1 greenish, class 2 bluish, 0..255 RGB. */
function syntheticImages(perClass: number, size: number): { images: tf.Tensor4D; labels: tf.Tensor2D } {
  return tf.tidy(() => {
    const images: tf.Tensor4D[] = [];
    const labels: number[] = [];
    for (let c = 0; c < 3; c++) {
      const tint = tf.mul(tf.reshape(tf.oneHot([c], 3), [1, 1, 1, 3]), 120);
      const noise = tf.randomUniform([perClass, size, size, 3], 0, 135, 'float32', 7 + c);
      images.push(tf.add(noise, tint) as tf.Tensor4D);
      for (let i = 0; i < perClass; i++) labels.push(c);
    }
    return { images: tf.concat(images), labels: tf.cast(tf.oneHot(labels, 3), 'float32') as tf.Tensor2D };
  });
}

/** The guide's loop: Adam 1e-4, softmax cross-entropy, the whole network trainable. */
function fineTune(model: EffNetModel, x: tf.Tensor4D, y: tf.Tensor2D, steps: number): void {
  const optimizer = tf.train.adam(1e-4);
  for (let step = 0; step < steps; step++) {
    tf.tidy(() => {
      optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true })) as tf.Scalar, false, model.trainableWeights());
    });
  }
  optimizer.dispose();
}

const evalLoss = (model: EffNetModel, x: tf.Tensor4D, y: tf.Tensor2D) => tf.tidy(() => tf.losses.softmaxCrossEntropy(y, model.predict(x)).dataSync()[0]!);

describe('fine-tuning a Keras _notop import', () => {
  it('a new head learns: the loss falls and no tensor leaks', () => {
    const dir = path.join(REPO_ROOT, 'fixtures/keras/s-w02-d02-notop');
    const arch = JSON.parse(readFileSync(path.join(dir, 'arch.json'), 'utf8')) as Record<string, unknown>;
    const { model, headFromFile } = modelFromKerasWeights(readFileSync(path.join(dir, 'weights.h5')), arch, { numClasses: 3, seed: 1 });
    expect(headFromFile).toBe(false);
    const { images, labels } = syntheticImages(2, 32);
    const x = preprocessImages(images, model.spec, 32);
    const before = evalLoss(model, x, labels);
    const tensors = tf.memory().numTensors;
    fineTune(model, x, labels, 4);
    expect(tf.memory().numTensors).toBe(tensors);
    const after = evalLoss(model, x, labels);
    expect(after).toBeLessThan(before);
    tf.dispose([images, labels, x]);
    model.dispose();
  });
});
