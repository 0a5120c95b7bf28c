import { isEffnetError, SeededRandom } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import * as ops from '../ops/index.js';
import { imageValues, randomBatch } from '../test-support/batches.js';
import { defaultOpNames, OFFICIAL_OPS } from './op-table.js';
import { parseRandAugmentSpec, resolveRandAugmentOptions, type RandAugmentOptions } from './options.js';
import { applyRandAugment, randAugment, sampleRandAugment } from './randaugment.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const BATCH = { batchSize: 12, height: 16, width: 20, channels: 3 };
const options = (o: Partial<RandAugmentOptions> = {}) => resolveRandAugmentOptions(o);

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('RandAugment sampling', () => {
  it('has the 16 official ops in the official order', () => {
    expect(OFFICIAL_OPS.map((o) => o.name)).toEqual([
      'AutoContrast', 'Equalize', 'Invert', 'Rotate', 'Posterize', 'Solarize', 'Color', 'Contrast',
      'Brightness', 'Sharpness', 'ShearX', 'ShearY', 'TranslateX', 'TranslateY', 'Cutout', 'SolarizeAdd',
    ]);
    expect(defaultOpNames(true)).toContain('PosterizeIncreasing');
    expect(defaultOpNames(true)).not.toContain('Posterize');
    expect(defaultOpNames(true)).toHaveLength(16);
  });

  it('applies N ops to every image, chosen uniformly', () => {
    const params = sampleRandAugment({ ...BATCH, batchSize: 3200 }, new SeededRandom(1), options({ numOps: 2 }));
    expect(params.layers).toHaveLength(2);
    const counts = new Map<string, number>();
    for (const layer of params.layers) for (const c of layer) counts.set(c!.op, (counts.get(c!.op) ?? 0) + 1);
    expect(counts.size).toBe(16);
    // 6400 draws over 16 ops: 400 expected each; 5 standard deviations is about ±97.
    for (const n of counts.values()) expect(Math.abs(n - 400)).toBeLessThan(100);
  });

  it('maps the magnitude without clipping at 10 unless magnitudeMax says so', () => {
    const rotate = (o: Partial<RandAugmentOptions>) =>
      sampleRandAugment(BATCH, new SeededRandom(2), options({ ops: ['Rotate'], numOps: 1, ...o })).layers[0]!.map((c) => Math.abs(c!.args[0]!));
    expect(new Set(rotate({ magnitude: 20 }))).toEqual(new Set([60]));
    expect(new Set(rotate({ magnitude: 20, magnitudeMax: 10 }))).toEqual(new Set([30]));
    const posterize = sampleRandAugment(BATCH, new SeededRandom(2), options({ ops: ['Posterize'], magnitude: 15 })).layers[0]![0]!;
    expect(posterize.args).toEqual([6]);
  });

  it('draws both signs for signed ops', () => {
    const args = sampleRandAugment({ ...BATCH, batchSize: 64 }, new SeededRandom(3), options({ ops: ['ShearX'], numOps: 1 })).layers[0]!.map((c) => c!.args[0]!);
    expect(new Set(args)).toEqual(new Set([0.3, -0.3]));
  });

  it('adds magnitude noise (Gaussian or uniform) and clips it to [0, magnitudeMax]', () => {
    const angles = (o: Partial<RandAugmentOptions>) =>
      sampleRandAugment({ ...BATCH, batchSize: 2000 }, new SeededRandom(4), options({ ops: ['Rotate'], numOps: 1, ...o })).layers[0]!.map((c) => Math.abs(c!.args[0]!) / 3);
    const gauss = angles({ magnitude: 9, magnitudeStd: 0.5 });
    const mean = gauss.reduce((s, v) => s + v, 0) / gauss.length;
    const sd = Math.sqrt(gauss.reduce((s, v) => s + (v - mean) ** 2, 0) / gauss.length);
    expect(mean).toBeCloseTo(9, 1);
    expect(sd).toBeGreaterThan(0.45);
    expect(sd).toBeLessThan(0.55);
    const clipped = angles({ magnitude: 9, magnitudeStd: 2, magnitudeMax: 10 });
    expect(Math.max(...clipped)).toBeCloseTo(10, 10);
    expect(Math.min(...clipped)).toBeGreaterThanOrEqual(0);
    const uniform = angles({ magnitude: 8, magnitudeStd: Infinity });
    expect(Math.min(...uniform)).toBeLessThan(0.1);
    expect(Math.max(...uniform)).toBeGreaterThan(7.9);
    expect(Math.max(...uniform)).toBeLessThanOrEqual(8);
  });

  it('skips ops with probability 1 - prob', () => {
    const layer = sampleRandAugment({ ...BATCH, batchSize: 2000 }, new SeededRandom(5), options({ prob: 0.3, numOps: 1 })).layers[0]!;
    const applied = layer.filter((c) => c !== null).length / layer.length;
    expect(applied).toBeGreaterThan(0.26);
    expect(applied).toBeLessThan(0.34);
  });

  it('reads timm strings', () => {
    expect(parseRandAugmentSpec('rand-m9-n3-mstd0.5-mmax10-inc1-p0.7')).toEqual({ magnitude: 9, numOps: 3, magnitudeStd: 0.5, magnitudeMax: 10, increasing: true, prob: 0.7 });
    expect(parseRandAugmentSpec('rand-m7-mstd101').magnitudeStd).toBe(Infinity);
    expect(errorOf(() => parseRandAugmentSpec('rand-m9-q3')).message).toMatch(/randaugment\.q: is not a known key/);
    expect(errorOf(() => parseRandAugmentSpec('auto-m9')).message).toMatch(/must start with "rand"/);
  });
});

describe('RandAugment options errors', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ magnitude: -1 }, /randaugment\.magnitude: is too small \(expected >= 0, got -1\)/],
    [{ ops: ['Rotate', 'Rotat'] }, /randaugment\.ops\[1\]: has an unsupported value \(expected one of AutoContrast, .*got "Rotat"\)/],
    [{ ops: [] }, /randaugment\.ops: must name at least one op/],
    [{ numOps: 1.5 }, /randaugment\.numOps: must be a whole number/],
    [{ prob: 1.5 }, /randaugment\.prob: is too large/],
    [{ magnitudeStd: -0.5 }, /randaugment\.magnitudeStd: is too small/],
    [{ magnitudeMax: 0 }, /randaugment\.magnitudeMax: is too small/],
    [{ fill: 300 }, /randaugment\.fill: is too large/],
    [{ magnitud: 9 }, /randaugment\.magnitud: is not a known field/],
  ];
  for (const [bad, message] of cases) {
    it(JSON.stringify(bad), () => {
      const e = errorOf(() => randAugment.resolveOptions!(bad as Partial<RandAugmentOptions>));
      expect(isEffnetError(e)).toBe(true);
      expect((e as { code?: string }).code).toBe('BAD_AUGMENT_OPTION');
      expect(e.message).toMatch(message);
    });
  }
});

describe('RandAugment on a batch', () => {
  it('gives each image its own op, batched per op', () => {
    const { images, labels } = randomBatch(10, 12, 14, 2);
    const params = sampleRandAugment({ ...BATCH, batchSize: 10, height: 12, width: 14 }, new SeededRandom(6), options({ ops: ['Invert', 'Equalize', 'Rotate'], numOps: 1 }));
    const chosen = params.layers[0]!.map((c) => c!.op);
    expect(new Set(chosen).size).toBe(3);
    const out = applyRandAugment(images, params);
    const references = { Invert: ops.invert(images), Equalize: ops.equalize(images), Rotate: ops.rotate(images, params.layers[0]!.map((c) => c!.args[0] ?? 0), 128) };
    chosen.forEach((name, i) => expect(imageValues(out, i)).toEqual(imageValues(references[name as keyof typeof references], i)));
    tf.dispose([images, labels, out, ...Object.values(references)]);
  });

  it('is reproducible from the seed and returns integer pixels in 0..255', () => {
    const { images, labels } = randomBatch(12, 16, 20, 2);
    const o = options({ magnitude: 15 });
    const a = applyRandAugment(images, sampleRandAugment(BATCH, new SeededRandom(9), o));
    const b = applyRandAugment(images, sampleRandAugment(BATCH, new SeededRandom(9), o));
    const c = applyRandAugment(images, sampleRandAugment(BATCH, new SeededRandom(10), o));
    const va = [...a.dataSync()];
    expect(va).toEqual([...b.dataSync()]);
    expect(va).not.toEqual([...c.dataSync()]);
    expect(va.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)).toBe(true);
    tf.dispose([images, labels, a, b, c]);
  });

  it('leaks no tensors across batches', () => {
    const { images, labels } = randomBatch(12, 16, 20, 2);
    const rng = new SeededRandom(11);
    const o = options({ magnitude: 12, magnitudeStd: 0.5 });
    const counts: number[] = [];
    for (let step = 0; step < 5; step++) {
      const out = applyRandAugment(images, sampleRandAugment(BATCH, rng, o));
      out.dispose();
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts).size).toBe(1);
    tf.dispose([images, labels]);
  });
});
