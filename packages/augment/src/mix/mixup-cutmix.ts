import { EffnetError, FieldChecker, type SeededRandom } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { beta, uniformInt } from '../distributions.js';
import { boxMask, perImage, takeImages } from '../ops/per-image.js';
import type { AugmentationPlugin, BatchInfo } from '../plugin.js';
import { smoothLabels } from './label-smoothing.js';

/** Mixup / CutMix settings: an alpha of 0 turns that method off. */
export interface MixOptions {
  /** Beta(α, α) parameter of mixup (official `mixup_alpha`; 0 = off). */
  mixupAlpha: number;
  /** Beta(α, α) parameter of CutMix (official `cutmix_alpha`; 0 = off). */
  cutmixAlpha: number;
  /** Label smoothing ε applied to the labels before mixing (0 = none; the official code smooths in the loss). */
  labelSmoothing: number;
}

/** How each example is mixed. */
export type MixMode = 'mixup' | 'cutmix' | 'none';

/** Mixup / CutMix parameters for a batch, per example. */
export interface MixParams {
  /** Index of the example each one is mixed with (the reversed batch, or the reversed half). */
  partner: number[];
  mode: MixMode[];
  /** Weight of the example's own label: mixup λ = max(λ, 1 − λ); CutMix 1 − box area / image area. */
  labelWeight: number[];
  /** CutMix box `[top, bottom, left, right)` taken from the partner; `[0, 0, 0, 0]` when none. */
  box: [number, number, number, number][];
  labelSmoothing: number;
}

/** Checks mixup options and fills in the defaults (all 0). */
export function resolveMixOptions(options: Partial<MixOptions> = {}, source = 'mixup'): MixOptions {
  const check = new FieldChecker(undefined, 'BAD_AUGMENT_OPTION');
  const o = check.object(options, source) as Partial<MixOptions>;
  check.onlyKeys(o, ['mixupAlpha', 'cutmixAlpha', 'labelSmoothing'], source);
  return {
    mixupAlpha: check.number(o.mixupAlpha ?? 0, `${source}.mixupAlpha`, { min: 0 }),
    cutmixAlpha: check.number(o.cutmixAlpha ?? 0, `${source}.cutmixAlpha`, { min: 0 }),
    labelSmoothing: check.number(o.labelSmoothing ?? 0, `${source}.labelSmoothing`, { min: 0, max: 1 }),
  };
}

/** Reversed order of the indices `[from, to)`: the official pairing within a (half) batch. */
function reversed(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => to - 1 - i);
}

/** The official CutMix box: centre uniform, side ratio √(1 − Beta(α, α)), clipped to the image. */
function cutmixBox(alpha: number, h: number, w: number, rng: SeededRandom): [number, number, number, number] {
  const cx = uniformInt(w, rng);
  const cy = uniformInt(h, rng);
  const ratio = Math.sqrt(1 - beta(alpha, alpha, rng));
  const halfW = Math.trunc(Math.trunc(ratio * w) / 2);
  const halfH = Math.trunc(Math.trunc(ratio * h) / 2);
  const clip = (v: number, n: number) => Math.min(n, Math.max(0, v));
  return [clip(cy - halfH, h), clip(cy + halfH, h), clip(cx - halfW, w), clip(cx + halfW, w)];
}

/**
 * Draws mixup / CutMix parameters with the official semantics: mixup λ ~ Beta(α, α) per example,
 * then λ = max(λ, 1 − λ), each example paired with the reversed batch; CutMix pastes a box of
 * the partner, and the label weight is the real (clipped) box area; with both on, the first half
 * of the batch gets mixup and the second half CutMix, each half paired with itself reversed.
 */
export function sampleMix(batch: BatchInfo, rng: SeededRandom, o: MixOptions): MixParams {
  const n = batch.batchSize;
  const split = o.mixupAlpha > 0 && o.cutmixAlpha > 0 ? Math.floor(n / 2) : o.mixupAlpha > 0 ? n : 0;
  const params: MixParams = { partner: [], mode: [], labelWeight: [], box: [], labelSmoothing: o.labelSmoothing };
  params.partner = [...reversed(0, split), ...reversed(split, n)];
  for (let i = 0; i < n; i++) {
    if (i < split) {
      const lam = beta(o.mixupAlpha, o.mixupAlpha, rng);
      params.mode.push('mixup');
      params.labelWeight.push(Math.max(lam, 1 - lam));
      params.box.push([0, 0, 0, 0]);
    } else if (o.cutmixAlpha > 0) {
      const box = cutmixBox(o.cutmixAlpha, batch.height, batch.width, rng);
      params.mode.push('cutmix');
      params.labelWeight.push(1 - ((box[1] - box[0]) * (box[3] - box[2])) / (batch.height * batch.width));
      params.box.push(box);
    } else {
      params.mode.push('none');
      params.labelWeight.push(1);
      params.box.push([0, 0, 0, 0]);
    }
  }
  return params;
}

function checkBatch(what: string, size: number, params: MixParams): void {
  if (size !== params.partner.length) {
    throw new EffnetError('BATCH_MISMATCH', `mixup parameters do not fit the ${what}`, { expected: `${params.partner.length} examples`, actual: size });
  }
}

/**
 * Mixes each image with its partner: `x·w + partner·(1 − w)`, where w is λ for mixup, 0 inside
 * the box and 1 outside for CutMix, and 1 for untouched examples.
 */
export function applyMix(images: tf.Tensor4D, params: MixParams): tf.Tensor4D {
  checkBatch('images', images.shape[0], params);
  if (HOST_BACKENDS.has(tf.getBackend())) return mixOnHost(images, params);
  return applyMixWithKernels(images, params);
}

/** Backends whose tensors live in host memory, where mixing runs on the host. */
const HOST_BACKENDS = new Set(['cpu', 'wasm', 'tensorflow']);

/** {@link applyMix} in one pass over the batch on the host, with the kernels' float32 steps. */
function mixOnHost(images: tf.Tensor4D, params: MixParams): tf.Tensor4D {
  const [n, h, w, c] = images.shape;
  const x = images.dataSync() as Float32Array;
  const out = new Float32Array(x.length);
  const per = h * w * c;
  const f = Math.fround;
  for (let i = 0; i < n; i++) {
    const mode = params.mode[i];
    const base = f(mode === 'mixup' ? params.labelWeight[i]! : 1);
    const [top, bottom, left, right] = mode === 'cutmix' ? params.box[i]! : [0, 0, 0, 0];
    const p = params.partner[i]! * per;
    for (let y = 0; y < h; y++) {
      for (let col = 0; col < w; col++) {
        const own = f(base - (y >= top && y < bottom && col >= left && col < right ? 1 : 0));
        const rest = f(1 - own);
        const o = i * per + (y * w + col) * c;
        const q = p + (y * w + col) * c;
        for (let k = 0; k < c; k++) out[o + k] = f(f(x[o + k]! * own) + f(x[q + k]! * rest));
      }
    }
  }
  return tf.tensor4d(out, [n, h, w, c]);
}

/** {@link applyMix} with tensor kernels on any backend (the path for GPUs; tests check the host path against it). */
export function applyMixWithKernels(images: tf.Tensor4D, params: MixParams): tf.Tensor4D {
  checkBatch('images', images.shape[0], params);
  return tf.tidy(() => {
    const base = params.mode.map((m, i) => (m === 'mixup' ? params.labelWeight[i]! : 1));
    const boxes = params.box.map((b, i) => (params.mode[i] === 'cutmix' ? b : ([0, 0, 0, 0] as const)));
    const own = tf.sub(perImage(base, images.shape), boxMask(boxes, images.shape));
    const partner = takeImages(images, params.partner);
    return tf.add(tf.mul(images, own), tf.mul(partner, tf.sub(1, own))) as tf.Tensor4D;
  });
}

/** Smooths the labels (when asked) and mixes each row with its partner's by the label weight. */
export function applyMixToLabels(labels: tf.Tensor2D, params: MixParams): tf.Tensor2D {
  checkBatch('labels', labels.shape[0], params);
  return tf.tidy(() => {
    const smooth = smoothLabels(labels, params.labelSmoothing);
    const weight = tf.tensor2d(params.labelWeight, [params.labelWeight.length, 1]);
    return tf.add(tf.mul(smooth, weight), tf.mul(tf.gather(smooth, params.partner), tf.sub(1, weight)));
  });
}

/** Mixup (Zhang et al. 2018) and CutMix (Yun et al. 2019) with EfficientNetV2's semantics, plus label smoothing. */
export const mixup: AugmentationPlugin<MixParams, MixOptions> = {
  name: 'mixup',
  description: 'mixup and CutMix with the reversed batch (both on: half the batch each), label smoothing',
  resolveOptions: (options) => resolveMixOptions(options),
  sample: sampleMix,
  apply: applyMix,
  applyToLabels: applyMixToLabels,
};
