import type * as tf from '@tensorflow/tfjs-core';
import type { CropBox } from './random-crop.js';

/**
 * A labelled image dataset the trainer reads from. Images come out as NHWC float32 tensors in
 * 0..255 RGB, resized to the size asked for (grayscale sources are replicated to 3 channels), so
 * that one dataset serves every stage of a progressive schedule and the evaluation size.
 */
export interface ImageDataset {
  /** Number of examples. */
  readonly length: number;
  /** Number of classes; every label is in 0..numClasses-1. */
  readonly numClasses: number;
  /** Class names, index = class id, when known. */
  readonly classNames?: string[];
  /** Where the data comes from (a path, or a description), named in messages. */
  readonly source: string;
  /** The class of example `index`. */
  label(index: number): number;
  /**
   * Examples `indices` as a `[n, size, size, 3]` float32 tensor of 0..255 values; with `crops`,
   * example k is cut to `crops[k]` (the whole image where it is undefined) before resizing.
   */
  load(indices: readonly number[], size: number, crops?: readonly (CropBox | undefined)[]): Promise<tf.Tensor4D>;
  /** Frees what the dataset holds on the device, if anything. */
  dispose?(): void;
  /**
   * From now on make batches on a worker thread (Node), so that the next batch is made while a
   * training step holds this thread; resolves false where no thread can start. Same values as
   * on this thread.
   */
  startLoaderThread?(): Promise<boolean>;
  /** Stops the thread {@link startLoaderThread} started; batches are made on this thread again. */
  stopLoaderThread?(): Promise<void>;
}
