import * as tf from '@tensorflow/tfjs-core';
import { boxMask, fillWhere } from './per-image.js';

/** A cutout square per image: half-side `pad` and centre (`row`, `column`). */
export interface CutoutBox {
  pad: number;
  row: number;
  column: number;
}

/**
 * The official Cutout: fills rows `[row − pad, row + pad)` × columns `[column − pad, column + pad)`
 * of each image, clipped to the image, with `fill`.
 */
export function cutout(images: tf.Tensor4D, boxes: readonly CutoutBox[], fill: number): tf.Tensor4D {
  return tf.tidy(() => {
    const mask = boxMask(boxes.map((b) => [b.row - b.pad, b.row + b.pad, b.column - b.pad, b.column + b.pad] as const), images.shape);
    return fillWhere(images, mask, fill);
  });
}
