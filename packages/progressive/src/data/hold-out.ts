import { EffnetError } from '@effnet/core';
import type * as tf from '@tensorflow/tfjs-core';
import type { ImageDataset } from './dataset.js';
import type { CropBox } from './random-crop.js';

/** Examples `[start, end)` of a dataset as a dataset of their own (nothing is copied). */
export function sliceDataset(dataset: ImageDataset, start: number, end: number, name: string): ImageDataset {
  const length = end - start;
  return {
    length,
    numClasses: dataset.numClasses,
    ...(dataset.classNames ? { classNames: dataset.classNames } : {}),
    source: `${dataset.source} (${name}: examples ${start}-${end - 1})`,
    label: (index: number) => dataset.label(start + index),
    load: (indices: readonly number[], size: number, crops?: readonly (CropBox | undefined)[]): Promise<tf.Tensor4D> => dataset.load(indices.map((i) => start + i), size, crops),
  };
}

/**
 * Splits off the last `count` examples of a training set as held-out validation data (used to
 * choose weights and schedules, so that the test set only reports).
 */
export function holdOut(dataset: ImageDataset, count: number): { train: ImageDataset; validation: ImageDataset } {
  if (!Number.isInteger(count) || count < 1 || count >= dataset.length) {
    throw new EffnetError('BAD_OPTION', 'must leave at least one training example', { file: dataset.source, field: 'validation', expected: `an integer in 1..${dataset.length - 1}`, actual: count });
  }
  const cut = dataset.length - count;
  return { train: sliceDataset(dataset, 0, cut, 'training'), validation: sliceDataset(dataset, cut, dataset.length, 'validation') };
}
