import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { pixelsToBatch, squareRgb } from './grid-images.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('pixelsToBatch', () => {
  it.each([
    [[3, 28, 28, 1], 16],
    [[3, 28, 28, 1], 28],
    [[2, 28, 28, 1], 37],
    [[2, 20, 13, 3], 24],
    [[1, 5, 7, 3], 5],
  ] as const)('gives what TF.js resizeBilinear (half-pixel centres) and tile give: %j to %i px', (shape, size) => {
    const count = shape.reduce((a: number, b: number) => a * b, 1);
    let s = 7;
    const pixels = Uint8Array.from({ length: count }, () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 24));
    const got = pixelsToBatch(pixels, [...shape], size);
    const want = tf.tidy(() => squareRgb(tf.tensor4d(Float32Array.from(pixels), [...shape]), size));
    expect(got.shape).toEqual([shape[0], size, size, 3]);
    const a = got.dataSync();
    const b = want.dataSync();
    let worst = 0;
    for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    expect(worst).toBeLessThan(1e-4);
    tf.dispose([got, want]);
  });
});
