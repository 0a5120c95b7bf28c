import type { SeededRandom } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { normal, uniformInt } from '../distributions.js';
import { takeImages, toPixels } from '../ops/per-image.js';
import type { AugmentationPlugin, BatchInfo } from '../plugin.js';
import { HOST_OPS } from './host-ops.js';
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

/** Backends whose tensors live in host memory, where the host ops run. */
const HOST_BACKENDS = new Set(['cpu', 'wasm', 'tensorflow']);

/** Runs every layer on the host when the backend keeps tensors there and every chosen op has a host version. */
function applyOnHost(images: tf.Tensor4D, params: RandAugmentParams): tf.Tensor4D | undefined {
  if (!HOST_BACKENDS.has(tf.getBackend())) return undefined;
  if (!params.layers.every((layer) => layer.every((chosen) => chosen === null || HOST_OPS.has(chosen.op)))) return undefined;
  const [b, h, w, c] = images.shape;
  const per = h * w * c;
  const pixels = images.dataSync();
  let current = new Float32Array(pixels.length);
  // A plain loop: Float32Array.from with a map function is ~30x slower in V8.
  for (let i = 0; i < pixels.length; i++) current[i] = Math.floor(Math.min(255, Math.max(0, pixels[i] as number)));
  let next = new Float32Array(current.length);
  for (const layer of params.layers) {
    if (layer.length !== b) throw new Error(`RandAugment parameters are for ${layer.length} images, the batch has ${b}`);
    for (let i = 0; i < b; i++) {
      const chosen = layer[i];
      if (!chosen) next.set(current.subarray(i * per, (i + 1) * per), i * per);
      else HOST_OPS.get(chosen.op)!(current, next, i * per, h, w, c, chosen.args, params.fill);
    }
    [current, next] = [next, current];
  }
  return tf.tensor4d(current, [b, h, w, c]);
}

/**
 * Applies RandAugment parameters to a batch `[B, H, W, C]` (0..255); returns integer pixel values.
 * On host-memory backends, layers whose ops all have host versions run on the host in one pass.
 */
export function applyRandAugment(images: tf.Tensor4D, params: RandAugmentParams): tf.Tensor4D {
  const host = applyOnHost(images, params);
  if (host) return host;
  return tf.tidy(() => {
    let x = toPixels(images);
    for (const layer of params.layers) {
      if (layer.length !== x.shape[0]) throw new Error(`RandAugment parameters are for ${layer.length} images, the batch has ${x.shape[0]}`);
      x = applyLayer(x, layer, params.fill);
    }
    return x;
  });
}

/** The TF.js path only (every backend), for checking the host path against it. */
export function applyRandAugmentWithKernels(images: tf.Tensor4D, params: RandAugmentParams): tf.Tensor4D {
  return tf.tidy(() => {
    let x = toPixels(images);
    for (const layer of params.layers) x = applyLayer(x, layer, params.fill);
    return x;
  });
}

export const randAugment: AugmentationPlugin<RandAugmentParams, RandAugmentOptions> = {
  name: 'randaugment',
  description: 'RandAugment: N ops per image at magnitude M (official 16 ops, PIL definitions)',
  resolveOptions: (options) => resolveRandAugmentOptions(options),
  sample: sampleRandAugment,
  apply: applyRandAugment,
};
