import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { resizePixels } from './resize-pixels.js';

/** TF.js's answer for one image: the window cut out, mirrored if asked, resized (half-pixel centres), grey to three channels. */
function reference(pixels: Uint8Array, h: number, w: number, image: number, size: number, box: { top: number; left: number; height: number; width: number; flip: boolean }): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(pixels.subarray(image * h * w, (image + 1) * h * w), [1, h, w, 1], 'float32');
    const [y0, x0, rows, cols] = [Math.round(box.top * h), Math.round(box.left * w), Math.round(box.height * h), Math.round(box.width * w)];
    let cut = tf.slice(x, [0, y0, x0, 0], [1, rows, cols, 1]);
    if (box.flip) cut = tf.reverse(cut, 2);
    const resized = rows === size && cols === size ? cut : tf.image.resizeBilinear(cut as tf.Tensor4D, [size, size], false, true);
    return tf.tile(resized, [1, 1, 1, 3]).dataSync() as Float32Array;
  });
}

describe('resizePixels', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  const [n, h, w] = [4, 28, 28];
  let state = 7;
  const pixels = Uint8Array.from({ length: n * h * w }, () => (state = (state * 1103515245 + 12345) >>> 0) >>> 24);

  it('copies windows at the image scale on whole pixels exactly, mirrored or not', () => {
    const boxes = [
      { top: 0, left: 0, height: 16 / 28, width: 16 / 28, flip: false },
      { top: 5 / 28, left: 12 / 28, height: 16 / 28, width: 16 / 28, flip: true },
      { top: 12 / 28, left: 3 / 28, height: 16 / 28, width: 16 / 28, flip: false },
      { top: 0, left: 0, height: 1, width: 1, flip: true },
    ];
    const sizes = [16, 16, 16, 28];
    for (let i = 0; i < n; i++) {
      const one = resizePixels(pixels.subarray(i * h * w, (i + 1) * h * w), [1, h, w, 1], sizes[i]!, [boxes[i]!]);
      expect(Array.from(one)).toEqual(Array.from(reference(pixels, h, w, i, sizes[i]!, boxes[i]!)));
    }
  });

  it('resizes other windows with TF.js\'s bilinear rule', () => {
    const box = { top: 2 / 28, left: 4 / 28, height: 20 / 28, width: 20 / 28, flip: true };
    const got = resizePixels(pixels.subarray(0, h * w), [1, h, w, 1], 16, [box]);
    const want = reference(pixels, h, w, 0, 16, box);
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
    expect(worst).toBeLessThan(1e-3);
    // And not a copy: a 20 px window shrunk to 16 px blends neighbours.
    expect(got.some((v) => !Number.isInteger(v))).toBe(true);
  });
});
