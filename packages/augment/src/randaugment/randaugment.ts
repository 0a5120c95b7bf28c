import type { SeededRandom } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { normal, uniformInt } from '../distributions.js';
import { takeImages, toPixels } from '../ops/per-image.js';
import type { AugmentationPlugin, BatchInfo } from '../plugin.js';
import { RANDAUGMENT_OPS, type OpContext } from './op-table.js';
import { resolveRandAugmentOptions, type RandAugmentOptions } from './options.js';

/** One op chosen for one image: its name and its arguments (`null`: skipped by `prob`). */
export type ChosenOp = { op: string; args: number[] } | null;

/** RandAugment's parameters for a batch: `layers[k][i]` is the k-th op of image i. */
export interface RandAugmentParams {
  fill: number;
  layers: ChosenOp[][];
}

function drawMagnitude(o: RandAugmentOptions, rng: SeededRandom): number {
  let m = o.magnitude;
  if (o.magnitudeStd === Infinity) m = rng.next() * m;
  else if (o.magnitudeStd > 0) m += o.magnitudeStd * normal(rng);
  return Math.max(0, Math.min(m, o.magnitudeMax ?? Infinity));
}

/** Draws the ops and their arguments for every image of a batch. */
export function sampleRandAugment(batch: BatchInfo, rng: SeededRandom, o: RandAugmentOptions): RandAugmentParams {
  const ctx: OpContext = {
    height: batch.height,
    width: batch.width,
    translatePixels: o.translatePixels,
    translateFraction: o.translateFraction,
    cutoutPixels: o.cutoutPixels,
  };
  const layers: ChosenOp[][] = [];
  for (let k = 0; k < o.numOps; k++) {
    const layer: ChosenOp[] = [];
    for (let i = 0; i < batch.batchSize; i++) {
      if (o.prob < 1 && rng.next() >= o.prob) {
        layer.push(null);
        continue;
      }
      const op = RANDAUGMENT_OPS.get(o.ops[uniformInt(o.ops.length, rng)]!)!;
      layer.push({ op: op.name, args: op.args(drawMagnitude(o, rng), rng, ctx) });
    }
    layers.push(layer);
  }
  return { fill: o.fill, layers };
}

/**
 * Applies one layer: images that chose the same op are gathered into a sub-batch and transformed
 * together; the results are put back in order with one more gather.
 */
function applyLayer(images: tf.Tensor4D, layer: readonly ChosenOp[], fill: number): tf.Tensor4D {
  const groups = new Map<string, number[]>();
  layer.forEach((chosen, i) => {
    const key = chosen?.op ?? '';
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  return tf.tidy(() => {
    const order: number[] = [];
    const parts: tf.Tensor4D[] = [];
    for (const [name, members] of groups) {
      const sub = members.length === layer.length ? images : takeImages(images, members);
      if (name === '') parts.push(sub);
      else {
        const op = RANDAUGMENT_OPS.get(name);
        if (!op) throw new Error(`RandAugment parameters name an unknown op "${name}"`);
        parts.push(op.apply(sub, members.map((i) => layer[i]!.args), fill));
      }
      order.push(...members);
    }
    if (parts.length === 1) return parts[0]!;
    const back = new Array<number>(order.length);
    order.forEach((image, position) => (back[image] = position));
    return takeImages(tf.concat(parts, 0), back);
  });
}

/** Applies RandAugment parameters to a batch `[B, H, W, C]` (0..255); returns integer pixel values. */
export function applyRandAugment(images: tf.Tensor4D, params: RandAugmentParams): tf.Tensor4D {
  return tf.tidy(() => {
    let x = toPixels(images);
    for (const layer of params.layers) {
      if (layer.length !== x.shape[0]) throw new Error(`RandAugment parameters are for ${layer.length} images, the batch has ${x.shape[0]}`);
      x = applyLayer(x, layer, params.fill);
    }
    return x;
  });
}

/**
 * RandAugment (Cubuk et al. 2020) as in EfficientNetV2's code: each image gets `numOps` ops, each
 * chosen uniformly from the list and applied at magnitude M, with timm's options (magnitude
 * noise and clip, increasing variants, per-op probability). Works on integer pixel values:
 * the input is clipped to 0..255 and truncated first, as the official uint8 cast does.
 */
export const randAugment: AugmentationPlugin<RandAugmentParams, RandAugmentOptions> = {
  name: 'randaugment',
  description: 'RandAugment: N ops per image at magnitude M (official 16 ops, PIL definitions)',
  resolveOptions: (options) => resolveRandAugmentOptions(options),
  sample: sampleRandAugment,
  apply: applyRandAugment,
};
