import type * as tf from '@tensorflow/tfjs-core';
import { affineTransform, type AffineMatrix } from './affine.js';

/** PIL `Image.rotate(degrees)` about the image centre, counter-clockwise for positive angles. */
export function rotationMatrix(degrees: number, height: number, width: number): AffineMatrix {
  const angle = (-degrees * Math.PI) / 180;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const cx = width / 2;
  const cy = height / 2;
  return [cos, sin, cos * -cx + sin * -cy + cx, -sin, cos, -sin * -cx + cos * -cy + cy];
}

/** Rotates each image by its angle in degrees (nearest neighbour, corners filled with `fill`). */
export function rotate(images: tf.Tensor4D, degrees: readonly number[], fill: number): tf.Tensor4D {
  const [, h, w] = images.shape;
  return affineTransform(images, degrees.map((d) => rotationMatrix(d, h, w)), fill);
}

/** Shears each image horizontally: output (x, y) reads input (x + s·y, y), as PIL's `(1, s, 0, 0, 1, 0)`. */
export function shearX(images: tf.Tensor4D, factors: readonly number[], fill: number): tf.Tensor4D {
  return affineTransform(images, factors.map((s): AffineMatrix => [1, s, 0, 0, 1, 0]), fill);
}

/** Shears each image vertically: output (x, y) reads input (x, y + s·x). */
export function shearY(images: tf.Tensor4D, factors: readonly number[], fill: number): tf.Tensor4D {
  return affineTransform(images, factors.map((s): AffineMatrix => [1, 0, 0, s, 1, 0]), fill);
}

/** Shifts each image left by `pixels` (output x reads input x + pixels); negative shifts right. */
export function translateX(images: tf.Tensor4D, pixels: readonly number[], fill: number): tf.Tensor4D {
  return affineTransform(images, pixels.map((t): AffineMatrix => [1, 0, t, 0, 1, 0]), fill);
}

/** Shifts each image up by `pixels` (output y reads input y + pixels); negative shifts down. */
export function translateY(images: tf.Tensor4D, pixels: readonly number[], fill: number): tf.Tensor4D {
  return affineTransform(images, pixels.map((t): AffineMatrix => [1, 0, 0, 0, 1, t]), fill);
}
