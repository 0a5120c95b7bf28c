import * as tf from '@tensorflow/tfjs-core';

/**
 * A `[n, h, w, 1 or 3]` batch as `[n, size, size, 3]`: bilinear resize (half-pixel centres, as
 * TF's and PIL's resize) when the size differs, and 1 channel replicated to 3.
 */
export function squareRgb(x: tf.Tensor4D, size: number): tf.Tensor4D {
  return tf.tidy(() => {
    let y = x;
    if (y.shape[1] !== size || y.shape[2] !== size) y = tf.image.resizeBilinear(y, [size, size], false, true);
    if (y.shape[3] === 1) y = tf.tile(y, [1, 1, 1, 3]);
    return y === x ? tf.clone(x) : y;
  });
}

/** Source rows (or columns) and weights of a half-pixel-centre bilinear resize from `from` to `to`. */
function taps(from: number, to: number): { lo: Int32Array; hi: Int32Array; frac: Float32Array } {
  const lo = new Int32Array(to);
  const hi = new Int32Array(to);
  const frac = new Float32Array(to);
  const ratio = from / to;
  for (let i = 0; i < to; i++) {
    const src = ratio * (i + 0.5) - 0.5;
    const floor = Math.floor(src);
    lo[i] = Math.max(0, floor);
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
export function pixelsToBatch(pixels: Uint8Array | Float32Array, shape: [number, number, number, number], size: number): tf.Tensor4D {
  const [n, h, w, c] = shape;
  if (c !== 1 && c !== 3) return tf.tidy(() => squareRgb(tf.tensor4d(pixels instanceof Float32Array ? pixels : Float32Array.from(pixels), shape), size));
  const out = new Float32Array(n * size * size * 3);
  if (h === size && w === size) {
    // No resize: copy, replicating a single channel.
    if (c === 3) out.set(pixels);
    else for (let i = 0, o = 0; i < pixels.length; i++, o += 3) out[o] = out[o + 1] = out[o + 2] = pixels[i]!;
    return tf.tensor4d(out, [n, size, size, 3]);
  }
  const rows = taps(h, size);
  const cols = taps(w, size);
  for (let b = 0; b < n; b++) {
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
