import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { RANDAUGMENT_OPS, type OpContext } from '../randaugment/op-table.js';
import { readImages, readManifest, scriptedRandom, type GoldenCase } from '../test-support/pil-fixtures.js';

/**
 * Each RandAugment op against Pillow's output on three synthetic 32x40 images, with the arguments
 * PIL used (one per image, so geometric ops are also checked on a batch of 3 with three different
 * matrices). Tolerances:
 * - every op except AutoContrast: exact, all pixels equal;
 * - AutoContrast: PIL computes `x·scale + offset` in double precision and, where the exact
 *   quotient (x − lo)·255 / (hi − lo) is a whole number, may land one below it; we return the
 *   exact quotient, so a difference of 1 is allowed exactly at those pixels and nowhere else.
 */
const manifest = readManifest();
const [count, height, width] = manifest.shape;
const ctx: OpContext = { height, width, translatePixels: 100, translateFraction: undefined, cutoutPixels: 40 };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function run(c: GoldenCase): { ours: Float32Array; pil: Float32Array; input: Float32Array } {
  const input = readImages(manifest.inputs);
  const expected = readImages(c.file);
  const op = RANDAUGMENT_OPS.get(c.op)!;
  const out = op.apply(input, c.args, manifest.fill);
  const result = { ours: out.dataSync() as Float32Array, pil: expected.dataSync() as Float32Array, input: input.dataSync() as Float32Array };
  tf.dispose([input, expected, out]);
  return result;
}

/** Pixels where PIL's double-precision autocontrast may be one below the exact quotient. */
function autocontrastWholeQuotient(input: Float32Array, index: number): boolean {
  const channels = 3;
  const perImage = height * width * channels;
  const image = Math.floor(index / perImage);
  const channel = index % channels;
  let lo = 255;
  let hi = 0;
  for (let i = image * perImage + channel; i < (image + 1) * perImage; i += channels) {
    lo = Math.min(lo, input[i]!);
    hi = Math.max(hi, input[i]!);
  }
  return hi > lo && ((input[index]! - lo) * 255) % (hi - lo) === 0;
}

describe(`RandAugment ops match Pillow ${manifest.pillow}`, () => {
  for (const c of manifest.cases) {
    it(c.name, () => {
      const { ours, pil, input } = run(c);
      expect(ours.length).toBe(count * height * width * 3);
      const bad: string[] = [];
      for (let i = 0; i < ours.length; i++) {
        const diff = Math.abs(ours[i]! - pil[i]!);
        if (diff === 0) continue;
        if (c.op === 'AutoContrast' && diff === 1 && autocontrastWholeQuotient(input, i)) continue;
        bad.push(`#${i}: ours ${ours[i]} PIL ${pil[i]}`);
      }
      expect(bad.slice(0, 5), `${bad.length} pixels differ`).toEqual([]);
      // The op must do something at these settings, or the comparison proves little.
      if (!(c.op === 'Solarize' && c.magnitude! >= 10) && !(c.op === 'Posterize' && c.magnitude! >= 20)) {
        expect(pil.some((v, i) => v !== input[i])).toBe(true);
      }
    });
  }
});

describe('magnitude to argument mapping matches the official table', () => {
  for (const c of manifest.cases.filter((k) => k.magnitude !== null)) {
    it(c.name, () => {
      const op = RANDAUGMENT_OPS.get(c.op)!;
      c.args.forEach((expected, image) => {
        const sign = manifest.signs[image]!;
        const draws =
          c.op === 'Cutout'
            ? [(expected[1]! + 0.5) / height, (expected[2]! + 0.5) / width]
            : [sign < 0 ? 0.25 : 0.75];
        expect(op.args(c.magnitude!, scriptedRandom(draws), ctx)).toEqual(expected);
      });
    });
  }
});
