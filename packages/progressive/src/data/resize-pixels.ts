import type { CropBox } from './random-crop.js';

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
 * A box edge in pixels, snapped to the whole pixel it stands for: windows are drawn as fractions
 * of whole-pixel offsets (5/28 of the image), which come back a rounding error off (5.000000000000001).
 */
function whole(pixels: number): number {
  const r = Math.round(pixels);
  return Math.abs(pixels - r) < 1e-9 ? r : pixels;
}

/** Whether every tap reads one source pixel with weight 0 for its neighbour. */
function exact(t: { lo: Int32Array; hi: Int32Array; frac: Float32Array }): boolean {
  for (let i = 0; i < t.frac.length; i++) if (t.frac[i] !== 0 || t.lo[i] !== t.hi[i]) return false;
  return true;
}

/**
 * Raw 0..255 pixels `[n, h, w, 1 or 3]` as `[n, size, size, 3]` float32 values: each image cut to
 * its crop box (the whole image where there is none; a flipped box mirrors it) and resized with
 * TF's bilinear rule (half-pixel centres), float32 steps in the order TF.js's kernel takes them,
 * one channel replicated to three. Plain arithmetic, no TF.js: it runs on a worker thread as well.
 */
export function resizePixels(pixels: ArrayLike<number>, shape: readonly [number, number, number, number], size: number, crops?: readonly (CropBox | undefined)[]): Float32Array {
  const [n, h, w, c] = shape;
  if (c !== 1 && c !== 3) throw new Error(`resizePixels: images have ${c} channels; 1 or 3 expected`);
  const out = new Float32Array(n * size * size * 3);
  if (h === size && w === size && !crops?.some((b) => b)) {
    // No resize: copy, replicating a single channel.
    if (c === 3) out.set(pixels);
    else for (let i = 0, o = 0; i < n * h * w; i++, o += 3) out[o] = out[o + 1] = out[o + 2] = pixels[i]!;
    return out;
  }
  const full = { rows: taps(h, size), cols: taps(w, size) };
  for (let b = 0; b < n; b++) {
    const box = crops?.[b];
    const rows = box ? taps(h, size, whole(box.top * h), whole(box.height * h)) : full.rows;
    const cols = box ? taps(w, size, whole(box.left * w), whole(box.width * w), box.flip) : full.cols;
    const image = b * h * w * c;
    if (exact(rows) && exact(cols)) {
      // A window at the image's own scale on whole pixels (the small stages' crops, flips): every
      // weight is 0, so the bilinear sum is the top-left pixel itself. Copy it.
      for (let y = 0; y < size; y++) {
        const row = image + rows.lo[y]! * w * c;
        for (let x = 0; x < size; x++) {
          const o = ((b * size + y) * size + x) * 3;
          const i = row + cols.lo[x]! * c;
          if (c === 1) out[o] = out[o + 1] = out[o + 2] = pixels[i]!;
          else for (let k = 0; k < 3; k++) out[o + k] = pixels[i + k]!;
        }
      }
      continue;
    }
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
          const upper = Math.fround(tl + Math.fround(Math.fround(tr - tl) * fx));
          const lower = Math.fround(bl + Math.fround(Math.fround(br - bl) * fx));
          const v = Math.fround(upper + Math.fround(Math.fround(lower - upper) * fy));
          if (c === 1) out[o] = out[o + 1] = out[o + 2] = v;
          else out[o + k] = v;
        }
      }
    }
  }
  return out;
}
