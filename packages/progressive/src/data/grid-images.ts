import * as tf from '@tensorflow/tfjs-core';
import type { CropBox } from './random-crop.js';

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
 * Source rows (or columns) and weights of a half-pixel-centre bilinear resize of the span
 * `[start, start + extent)` of `from` pixels to `to` pixels (the whole image: start 0, extent
 * `from`); `mirror` reads the span right to left.
 */
function taps(from: number, to: number, start = 0, extent = from, mirror = false): { lo: Int32Array; hi: Int32Array; frac: Float32Array } {
  const lo = new Int32Array(to);
  const hi = new Int32Array(to);
  const frac = new Float32Array(to);
  const ratio = extent / to;
  for (let i = 0; i < to; i++) {
    const j = mirror ? to - 1 - i : i;
    const src = Math.min(from - 1, Math.max(0, start + ratio * (j + 0.5) - 0.5));
    const floor = Math.floor(src);
    lo[i] = floor;
    hi[i] = Math.min(from - 1, Math.ceil(src));
    frac[i] = src - floor;
  }
  return { lo, hi, frac };
}

/**
 * Raw 0..255 pixels `[n, h, w, channels]` to a `[n, size, size, 3]` float32 batch: the same values
 * as {@link squareRgb} (TF's bilinear resize with half-pixel centres; 1 channel replicated to 3),
 * computed here on the host in one pass, so that a batch costs one tensor upload and no kernels.
 */
export function pixelsToBatch(pixels: Uint8Array | Float32Array, shape: [number, number, number, number], size: number, crops?: readonly (CropBox | undefined)[]): tf.Tensor4D {
  const [n, h, w, c] = shape;
  if (c !== 1 && c !== 3) return tf.tidy(() => squareRgb(tf.tensor4d(pixels instanceof Float32Array ? pixels : Float32Array.from(pixels), shape), size, crops));
  const out = new Float32Array(n * size * size * 3);
  if (h === size && w === size && !crops?.some((b) => b)) {
    // No resize: copy, replicating a single channel.
    if (c === 3) out.set(pixels);
    else for (let i = 0, o = 0; i < pixels.length; i++, o += 3) out[o] = out[o + 1] = out[o + 2] = pixels[i]!;
    return tf.tensor4d(out, [n, size, size, 3]);
  }
  const full = { rows: taps(h, size), cols: taps(w, size) };
  for (let b = 0; b < n; b++) {
    const box = crops?.[b];
    const rows = box ? taps(h, size, box.top * h, box.height * h) : full.rows;
    const cols = box ? taps(w, size, box.left * w, box.width * w, box.flip) : full.cols;
    const image = b * h * w * c;
    for (let y = 0; y < size; y++) {
      const top = image + rows.lo[y]! * w * c;
      const bottom = image + rows.hi[y]! * w * c;
      const fy = rows.frac[y]!;
      for (let x = 0; x < size; x++) {
        const o = ((b * size + y) * size + x) * 3;
        const l = cols.lo[x]! * c;
        const r = cols.hi[x]! * c;
        const fx = cols.frac[x]!;
        for (let k = 0; k < c; k++) {
          const tl = pixels[top + l + k]!, tr = pixels[top + r + k]!, bl = pixels[bottom + l + k]!, br = pixels[bottom + r + k]!;
          // Float32 steps in the order TF.js's kernel takes them.
          const upper = Math.fround(tl + Math.fround(Math.fround(tr - tl) * fx));
          const lower = Math.fround(bl + Math.fround(Math.fround(br - bl) * fx));
          const v = Math.fround(upper + Math.fround(Math.fround(lower - upper) * fy));
          if (c === 1) out[o] = out[o + 1] = out[o + 2] = v;
          else out[o + k] = v;
        }
      }
    }
  }
  return tf.tensor4d(out, [n, size, size, 3]);
}
