import { PNG } from 'pngjs';
import type * as tf from '@tensorflow/tfjs-core';
import type { ImageDataset } from '../data/dataset.js';

/** One evaluated image with its label and prediction, as RGB bytes. */
export interface ReportSample {
  /** Index in the evaluation set. */
  index: number;
  label: number;
  predicted: number;
  /** Probability of the predicted class. */
  confidence: number;
  size: number;
  /** `size * size * 3` bytes, RGB. */
  rgb: Uint8Array;
}

/** Encodes a sample as an RGB PNG. */
export function encodeSampleImage(s: ReportSample): Uint8Array {
  const png = new PNG({ width: s.size, height: s.size, colorType: 2, inputColorType: 2, inputHasAlpha: false });
  png.data = Buffer.from(s.rgb);
  return PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false });
}

/**
 * The first `count` examples of an evaluation set at `size` px with the given predictions, for
 * the report's grid of test images.
 */
export async function collectSamples(dataset: ImageDataset, predicted: ArrayLike<number>, confidence: ArrayLike<number>, count: number, size: number): Promise<ReportSample[]> {
  const n = Math.min(count, dataset.length, predicted.length);
  if (n === 0) return [];
  const batch: tf.Tensor4D = await dataset.load(Array.from({ length: n }, (_, i) => i), size);
  let values: Float32Array;
  try {
    values = (await batch.data()) as Float32Array;
  } finally {
    batch.dispose();
  }
  const per = size * size * 3;
  return Array.from({ length: n }, (_, i) => ({
    index: i,
    label: dataset.label(i),
    predicted: predicted[i]!,
    confidence: confidence[i]!,
    size,
    rgb: Uint8Array.from(values.subarray(i * per, (i + 1) * per), (v) => Math.max(0, Math.min(255, Math.round(v)))),
  }));
}
