import type { SeededRandom } from '@effnet/core';
import type * as tf from '@tensorflow/tfjs-core';
import * as ops from '../ops/index.js';

/** What an op's argument may depend on besides the magnitude. */
export interface OpContext {
  height: number;
  width: number;
  /** Translation in pixels at magnitude 10 (official: 100). */
  translatePixels: number;
  /** When set, translation as a fraction of the image side at magnitude 10 instead (timm: 0.45). */
  translateFraction: number | undefined;
  /** Cutout half-side in pixels at magnitude 10 (official: 40). */
  cutoutPixels: number;
}

/**
 * One RandAugment op: how a magnitude becomes the op's argument list for one image (drawing a
 * random sign or position from `rng` where the op has one), and how a batch of images is
 * transformed given one argument list per image.
 */
export interface RandAugmentOp {
  readonly name: string;
  args(magnitude: number, rng: SeededRandom, ctx: OpContext): number[];
  apply(images: tf.Tensor4D, args: readonly number[][], fill: number): tf.Tensor4D;
}

const signed = (value: number, rng: SeededRandom) => (rng.next() < 0.5 ? -value : value);
const first = (args: readonly number[][]) => args.map((a) => a[0]!);
const level = (m: number) => m / 10;
const enhanceFactor = (m: number) => 1.8 * level(m) + 0.1;
const increasingFactor = (m: number, rng: SeededRandom) => [Math.max(0.1, 1 + signed(0.9 * level(m), rng))];

function op(name: string, args: RandAugmentOp['args'], apply: (x: tf.Tensor4D, a: number[], fill: number) => tf.Tensor4D): RandAugmentOp {
  return { name, args, apply: (x, a, fill) => apply(x, first(a), fill) };
}

const none = () => [];
const translate = (m: number, rng: SeededRandom, ctx: OpContext, side: number) =>
  [signed(ctx.translateFraction === undefined ? ctx.translatePixels * level(m) : ctx.translateFraction * level(m) * side, rng)];

/**
 * The 16 ops of the official RandAugment, in its order, with its magnitude → argument table
 * (`L = magnitude / 10`, not clipped at 10).
 */
export const OFFICIAL_OPS: readonly RandAugmentOp[] = [
  op('AutoContrast', none, (x) => ops.autocontrast(x)),
  op('Equalize', none, (x) => ops.equalize(x)),
  op('Invert', none, (x) => ops.invert(x)),
  op('Rotate', (m, rng) => [signed(30 * level(m), rng)], ops.rotate),
  op('Posterize', (m) => [Math.trunc(4 * level(m))], (x, a) => ops.posterize(x, a)),
  op('Solarize', (m) => [Math.trunc(256 * level(m))], (x, a) => ops.solarize(x, a)),
  op('Color', (m) => [enhanceFactor(m)], (x, a) => ops.color(x, a)),
  op('Contrast', (m) => [enhanceFactor(m)], (x, a) => ops.contrast(x, a)),
  op('Brightness', (m) => [enhanceFactor(m)], (x, a) => ops.brightness(x, a)),
  op('Sharpness', (m) => [enhanceFactor(m)], (x, a) => ops.sharpness(x, a)),
  op('ShearX', (m, rng) => [signed(0.3 * level(m), rng)], ops.shearX),
  op('ShearY', (m, rng) => [signed(0.3 * level(m), rng)], ops.shearY),
  op('TranslateX', (m, rng, ctx) => translate(m, rng, ctx, ctx.width), ops.translateX),
  op('TranslateY', (m, rng, ctx) => translate(m, rng, ctx, ctx.height), ops.translateY),
  {
    name: 'Cutout',
    args: (m, rng, ctx) => [Math.trunc(ctx.cutoutPixels * level(m)), Math.floor(rng.next() * ctx.height), Math.floor(rng.next() * ctx.width)],
    apply: (x, args, fill) => ops.cutout(x, args.map(([pad, row, column]) => ({ pad: pad!, row: row!, column: column! })), fill),
  },
  op('SolarizeAdd', (m) => [Math.trunc(110 * level(m))], (x, a) => ops.solarizeAdd(x, a)),
];

/**
 * timm's "increasing" variants, where a larger magnitude always means a stronger change:
 * posterize keeps `4 − int(4L)` bits, solarize uses threshold `256 − min(256, int(256L))`, and the
 * enhance ops use factor `max(0.1, 1 ± 0.9L)` with a random sign.
 */
export const INCREASING_OPS: readonly RandAugmentOp[] = [
  op('PosterizeIncreasing', (m) => [4 - Math.trunc(4 * level(m))], (x, a) => ops.posterize(x, a)),
  op('SolarizeIncreasing', (m) => [256 - Math.min(256, Math.trunc(256 * level(m)))], (x, a) => ops.solarize(x, a)),
  op('ColorIncreasing', increasingFactor, (x, a) => ops.color(x, a)),
  op('ContrastIncreasing', increasingFactor, (x, a) => ops.contrast(x, a)),
  op('BrightnessIncreasing', increasingFactor, (x, a) => ops.brightness(x, a)),
  op('SharpnessIncreasing', increasingFactor, (x, a) => ops.sharpness(x, a)),
];

/** Every op by name. */
export const RANDAUGMENT_OPS: ReadonlyMap<string, RandAugmentOp> = new Map([...OFFICIAL_OPS, ...INCREASING_OPS].map((o) => [o.name, o]));

/** The default op list: the official 16, or with `increasing` the six magnitude-reversed ones swapped for their increasing variants. */
export function defaultOpNames(increasing: boolean): string[] {
  return OFFICIAL_OPS.map((o) => (increasing && RANDAUGMENT_OPS.has(`${o.name}Increasing`) ? `${o.name}Increasing` : o.name));
}
