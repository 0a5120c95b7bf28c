import { FieldChecker } from '@effnet/core';
import { defaultOpNames, RANDAUGMENT_OPS } from './op-table.js';

/** RandAugment settings. Defaults give the official behaviour (N = 2, M = 10, no clipping, fill 128). */
export interface RandAugmentOptions {
  /** Ops applied to each image, one after the other, each chosen uniformly (N; default 2). */
  numOps: number;
  /** Magnitude M on the 0..10 scale of the paper; larger values extrapolate (default 10). */
  magnitude: number;
  /** Standard deviation of Gaussian noise on the magnitude, per op (timm `mstd`); `Infinity` draws uniformly from [0, M] (default 0). */
  magnitudeStd: number;
  /** Upper clip of the (noisy) magnitude (timm `mmax`); none by default, as in the official code. */
  magnitudeMax: number | undefined;
  /** Use the increasing variants of Posterize, Solarize, Color, Contrast, Brightness and Sharpness (timm `inc1`). */
  increasing: boolean;
  /** Probability that a chosen op is applied (timm `p`; official: 1, always). */
  prob: number;
  /** The op names to choose from; defaults to the official 16 (or their increasing variants). */
  ops: string[];
  /** Gray value for pixels uncovered by geometric ops and cutout (default 128). */
  fill: number;
  /** Translation in pixels at magnitude 10 (official `translate_const`: 100). */
  translatePixels: number;
  /** Translation as a fraction of the image side at magnitude 10 instead of pixels (timm: 0.45). */
  translateFraction: number | undefined;
  /** Cutout half-side in pixels at magnitude 10 (official `cutout_const`: 40). */
  cutoutPixels: number;
}

const KNOWN: readonly (keyof RandAugmentOptions)[] = [
  'numOps', 'magnitude', 'magnitudeStd', 'magnitudeMax', 'increasing', 'prob', 'ops', 'fill', 'translatePixels', 'translateFraction', 'cutoutPixels',
];

/** Checks RandAugment options and fills in the defaults; throws an `EffnetError` naming the bad option. */
export function resolveRandAugmentOptions(options: Partial<RandAugmentOptions> = {}, source = 'randaugment'): RandAugmentOptions {
  const check = new FieldChecker(undefined, 'BAD_AUGMENT_OPTION');
  const o = check.object(options, source) as Partial<RandAugmentOptions>;
  check.onlyKeys(o, KNOWN, source);
  const field = (name: string) => `${source}.${name}`;
  const optional = <T>(v: T | undefined, read: (v: unknown) => T): T | undefined => (v === undefined ? undefined : read(v));
  const increasing = o.increasing === undefined ? false : check.boolean(o.increasing, field('increasing'));
  const std = o.magnitudeStd ?? 0;
  if (std !== Infinity) check.number(std, field('magnitudeStd'), { min: 0 });
  const ops = o.ops === undefined ? defaultOpNames(increasing) : check.array(o.ops, field('ops')).map((name, i) => check.oneOf(name, `${field('ops')}[${i}]`, [...RANDAUGMENT_OPS.keys()]));
  if (ops.length === 0) check.fail(field('ops'), 'must name at least one op', 'a non-empty list', 'an empty list');
  return {
    numOps: check.int(o.numOps ?? 2, field('numOps'), { min: 0 }),
    magnitude: check.number(o.magnitude ?? 10, field('magnitude'), { min: 0 }),
    magnitudeStd: std,
    magnitudeMax: optional(o.magnitudeMax, (v) => check.number(v, field('magnitudeMax'), { above: 0 })),
    increasing,
    prob: check.number(o.prob ?? 1, field('prob'), { min: 0, max: 1 }),
    ops,
    fill: check.number(o.fill ?? 128, field('fill'), { min: 0, max: 255 }),
    translatePixels: check.number(o.translatePixels ?? 100, field('translatePixels'), { min: 0 }),
    translateFraction: optional(o.translateFraction, (v) => check.number(v, field('translateFraction'), { min: 0 })),
    cutoutPixels: check.number(o.cutoutPixels ?? 40, field('cutoutPixels'), { min: 0 }),
  };
}

/**
 * Reads timm's RandAugment string, e.g. `rand-m9-n2-mstd0.5-mmax10-inc1-p0.5`: `m` magnitude, `n`
 * number of ops, `mstd` magnitude noise (above 100: uniform), `mmax` clip, `inc` increasing
 * variants, `p` per-op probability. Unlike timm, the defaults stay official: no clip, p = 1.
 */
export function parseRandAugmentSpec(spec: string): Partial<RandAugmentOptions> {
  const check = new FieldChecker(undefined, 'BAD_AUGMENT_OPTION');
  const [head, ...parts] = spec.split('-');
  if (head !== 'rand') check.fail('randaugment', 'must start with "rand"', 'rand-m9-n2-...', spec);
  const out: Partial<RandAugmentOptions> = {};
  for (const part of parts) {
    const m = /^([a-z]+)(-?[\d.]+(?:e-?\d+)?)$/.exec(part);
    if (!m) return check.fail(`randaugment.${part}`, 'is not a key followed by a number', 'e.g. m9 or mstd0.5', part);
    const key = m[1]!;
    const text = m[2]!;
    const value = Number(text);
    if (!Number.isFinite(value)) check.fail(`randaugment.${key}`, 'must be a number', 'a number', text);
    if (key === 'm') out.magnitude = value;
    else if (key === 'n') out.numOps = value;
    else if (key === 'mstd') out.magnitudeStd = value > 100 ? Infinity : value;
    else if (key === 'mmax') out.magnitudeMax = value;
    else if (key === 'inc') out.increasing = value !== 0;
    else if (key === 'p') out.prob = value;
    else check.fail(`randaugment.${key}`, 'is not a known key', 'one of m, n, mstd, mmax, inc, p', key);
  }
  return out;
}
