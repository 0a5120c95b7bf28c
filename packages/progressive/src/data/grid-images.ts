import * as tf from '@tensorflow/tfjs-core';
import type { CropBox } from './random-crop.js';
import { resizePixels } from './resize-pixels.js';

/**
 * Crops each image to its box (the whole image where the box is undefined) and resizes it to
 * `size` with TF's crop-and-resize (bilinear; a flipped box mirrors the image).
 */
function cropAndResize(x: tf.Tensor4D, crops: readonly (CropBox | undefined)[], size: number): tf.Tensor4D {
  const [n, h, w] = x.shape;
  // crop_and_resize maps box corners to pixel centres 0 and h-1; half-pixel centres as below.
  const boxes = Array.from({ length: n }, (_, i) => {
    const b = crops[i] ?? { top: 0, left: 0, height: 1, width: 1, flip: false };
    const y0 = (b.top * h + (b.height * h) / (2 * size) - 0.5) / Math.max(1, h - 1);
    const y1 = (b.top * h + b.height * h - (b.height * h) / (2 * size) - 0.5) / Math.max(1, h - 1);
    const x0 = (b.left * w + (b.width * w) / (2 * size) - 0.5) / Math.max(1, w - 1);
    const x1 = (b.left * w + b.width * w - (b.width * w) / (2 * size) - 0.5) / Math.max(1, w - 1);
    return b.flip ? [y0, x1, y1, x0] : [y0, x0, y1, x1];
  });
  return tf.image.cropAndResize(x, tf.tensor2d(boxes), tf.range(0, n, 1, 'int32') as tf.Tensor1D, [size, size]);
}

/**
 * A `[n, h, w, 1 or 3]` batch as `[n, size, size, 3]`: bilinear resize (half-pixel centres, as
 * TF's and PIL's resize) when the size differs, and 1 channel replicated to 3.
 */
export function squareRgb(x: tf.Tensor4D, size: number, crops?: readonly (CropBox | undefined)[]): tf.Tensor4D {
  return tf.tidy(() => {
    let y = x;
    if (crops?.some((b) => b)) y = cropAndResize(y, crops, size);
    else if (y.shape[1] !== size || y.shape[2] !== size) y = tf.image.resizeBilinear(y, [size, size], false, true);
    if (y.shape[3] === 1) y = tf.tile(y, [1, 1, 1, 3]);
    return y === x ? tf.clone(x) : y;
  });
}

/**
 * Raw 0..255 pixels `[n, h, w, channels]` to a `[n, size, size, 3]` float32 batch: the same values
 * as {@link squareRgb} (TF's bilinear resize with half-pixel centres; 1 channel replicated to 3),
 * computed here on the host in one pass, so that a batch costs one tensor upload and no kernels.
 */
export function pixelsToBatch(pixels: Uint8Array | Float32Array, shape: [number, number, number, number], size: number, crops?: readonly (CropBox | undefined)[]): tf.Tensor4D {
  const [n, , , c] = shape;
  if (c !== 1 && c !== 3) return tf.tidy(() => squareRgb(tf.tensor4d(pixels instanceof Float32Array ? pixels : Float32Array.from(pixels), shape), size, crops));
  return tf.tensor4d(resizePixels(pixels, shape, size, crops), [n, size, size, 3]);
}
