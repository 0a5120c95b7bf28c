import { EffnetError } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { checkLabels, classCount } from './check-labels.js';
import type { ImageDataset } from './dataset.js';
import { squareRgb } from './grid-images.js';
import type { CropBox } from './random-crop.js';

/**
 * A dataset from tensors in memory: images `[N, H, W, 1 or 3]` with 0..255 values and one label
 * per image. The dataset keeps its own copy of the images (dispose it when done).
 */
export class TensorDataset implements ImageDataset {
  readonly length: number;
  readonly numClasses: number;
  private readonly images: tf.Tensor4D;
  private readonly labels: Int32Array;

  constructor(
    images: tf.Tensor4D,
    labels: ArrayLike<number>,
    options: { numClasses?: number; classNames?: string[]; source?: string } = {},
    readonly source = options.source ?? 'tensors',
    readonly classNames = options.classNames,
  ) {
    if (images.rank !== 4 || (images.shape[3] !== 1 && images.shape[3] !== 3)) {
      throw new EffnetError('BAD_INPUT', 'images must be [N, H, W, 1 or 3]', { file: this.source, field: 'images', expected: '[N, H, W, 1 or 3]', actual: images.shape });
    }
    if (labels.length !== images.shape[0]) throw new EffnetError('BAD_INPUT', 'one label per image is needed', { file: this.source, field: 'labels', expected: images.shape[0], actual: labels.length });
    this.numClasses = options.numClasses ?? classNames?.length ?? classCount(labels);
    checkLabels(labels, this.numClasses, this.source);
    this.labels = Int32Array.from(labels);
    this.length = labels.length;
    this.images = tf.keep(tf.cast(images, 'float32'));
  }

  label(index: number): number {
    return this.labels[index]!;
  }

  async load(indices: readonly number[], size: number, crops?: readonly (CropBox | undefined)[]): Promise<tf.Tensor4D> {
    return tf.tidy(() => squareRgb(tf.gather(this.images, tf.tensor1d(Int32Array.from(indices), 'int32')) as tf.Tensor4D, size, crops));
  }

  dispose(): void {
    this.images.dispose();
  }
}
