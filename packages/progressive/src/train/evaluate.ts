import { InferenceModel, preprocessImages, type EffNetModel } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';
import type { ImageDataset } from '../data/dataset.js';

/** Loss and accuracy over a dataset, with every prediction. */
export interface Evaluation {
  loss: number;
  accuracy: number;
  /** Predicted class per example. */
  predicted: Int32Array;
  /** Softmax probability of the predicted class per example. */
  confidence: Float32Array;
}

/**
 * Evaluates a model (its current weights, BatchNorm folded) on a dataset at `size`: mean
 * cross-entropy and top-1 accuracy.
 */
export async function evaluateModel(model: EffNetModel, dataset: ImageDataset, size: number, batchSize = 250): Promise<Evaluation> {
  const inference = new InferenceModel(model);
  const predicted = new Int32Array(dataset.length);
  const confidence = new Float32Array(dataset.length);
  let lossSum = 0;
  let correct = 0;
  try {
    for (let start = 0; start < dataset.length; start += batchSize) {
      const ids = Array.from({ length: Math.min(batchSize, dataset.length - start) }, (_, i) => start + i);
      const images = await dataset.load(ids, size);
      const labels = Int32Array.from(ids, (i) => dataset.label(i));
      const [lossT, predT, confT] = tf.tidy(() => {
        const logits = inference.predict(preprocessImages(images, model.spec, size));
        const logProbs = tf.logSoftmax(logits);
        const picked = tf.sum(tf.mul(logProbs, tf.oneHot(tf.tensor1d(labels, 'int32'), logits.shape[1])), 1);
        return [tf.neg(tf.sum(picked)), tf.argMax(logits, 1), tf.exp(tf.max(logProbs, 1))];
      });
      images.dispose();
      lossSum += (await lossT.data())[0]!;
      predicted.set(await predT.data(), start);
      confidence.set(await confT.data(), start);
      tf.dispose([lossT, predT, confT]);
    }
  } finally {
    inference.dispose();
  }
  for (let i = 0; i < dataset.length; i++) if (predicted[i] === dataset.label(i)) correct++;
  return { loss: lossSum / dataset.length, accuracy: correct / dataset.length, predicted, confidence };
}
