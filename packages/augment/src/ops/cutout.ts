import * as tf from '@tensorflow/tfjs-core';
import { fillWhere, perImage } from './per-image.js';

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
  const [, h, w] = images.shape;
  return tf.tidy(() => {
    const inside = (coords: tf.Tensor, from: number[], to: number[]) =>
      tf.logicalAnd(tf.greaterEqual(coords, perImage(from)), tf.less(coords, perImage(to)));
    const rows = inside(tf.reshape(tf.range(0, h), [1, h, 1, 1]), boxes.map((b) => b.row - b.pad), boxes.map((b) => b.row + b.pad));
    const cols = inside(tf.reshape(tf.range(0, w), [1, 1, w, 1]), boxes.map((b) => b.column - b.pad), boxes.map((b) => b.column + b.pad));
    return fillWhere(images, tf.cast(tf.logicalAnd(rows, cols), 'float32'), fill);
  });
}
