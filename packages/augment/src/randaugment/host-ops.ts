import type { AffineMatrix } from '../ops/affine.js';
import { rotationMatrix } from '../ops/geometry.js';

/**
 * RandAugment ops on pixels in host memory: the same results as the TF.js path
 * (`tf.image.transform` with nearest sampling and a constant fill, and Cutout), computed image by
 * image in one pass. On backends whose tensors live in host memory (wasm, cpu, tfjs-node) a batch
 * of small images costs far less this way than as a few dozen kernels per op group.
 */
export type HostOp = (input: Float32Array, output: Float32Array, offset: number, height: number, width: number, channels: number, args: readonly number[], fill: number) => void;

/** Warps one image by a PIL-convention matrix, reading the nearest input pixel (TF.js's rounding). */
function warp(matrix: AffineMatrix): (input: Float32Array, output: Float32Array, offset: number, h: number, w: number, c: number, fill: number) => void {
  const [a, b, c0, d, e, f0] = matrix;
  // TF's convention (pixel indices), as float32 like the transform tensor holds it.
  const t = [a, b, c0 + 0.5 * a + 0.5 * b - 0.5, d, e, f0 + 0.5 * d + 0.5 * e - 0.5].map(Math.fround) as [number, number, number, number, number, number];
  return (input, output, offset, h, w, ch, fill) => {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const sx = Math.round(t[0] * x + t[1] * y + t[2]);
        const sy = Math.round(t[3] * x + t[4] * y + t[5]);
        const o = offset + (y * w + x) * ch;
        if (sx >= 0 && sx < w && sy >= 0 && sy < h) {
          const i = offset + (sy * w + sx) * ch;
          for (let k = 0; k < ch; k++) output[o + k] = input[i + k]!;
        } else {
          for (let k = 0; k < ch; k++) output[o + k] = fill;
        }
      }
    }
  };
}

const affine = (matrixOf: (args: readonly number[], h: number, w: number) => AffineMatrix): HostOp => (input, output, offset, h, w, c, args, fill) => warp(matrixOf(args, h, w))(input, output, offset, h, w, c, fill);

/** Host versions of the ops that have one, by RandAugment op name. */
export const HOST_OPS: ReadonlyMap<string, HostOp> = new Map<string, HostOp>([
  ['Rotate', affine((a, h, w) => rotationMatrix(a[0]!, h, w))],
  ['ShearX', affine((a) => [1, a[0]!, 0, 0, 1, 0])],
  ['ShearY', affine((a) => [1, 0, 0, a[0]!, 1, 0])],
  ['TranslateX', affine((a) => [1, 0, a[0]!, 0, 1, 0])],
  ['TranslateY', affine((a) => [1, 0, 0, 0, 1, a[0]!])],
  [
    'Cutout',
    (input, output, offset, h, w, c, [pad, row, column], fill) => {
      const size = h * w * c;
      output.set(input.subarray(offset, offset + size), offset);
      for (let y = Math.max(0, row! - pad!); y < Math.min(h, row! + pad!); y++) {
        for (let x = Math.max(0, column! - pad!); x < Math.min(w, column! + pad!); x++) output.fill(fill, offset + (y * w + x) * c, offset + (y * w + x + 1) * c);
      }
    },
  ],
  [
    'Invert',
    (input, output, offset, h, w, c) => {
      for (let i = offset; i < offset + h * w * c; i++) output[i] = 255 - input[i]!;
    },
  ],
]);
