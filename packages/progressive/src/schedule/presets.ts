import { EffnetError, getRegistry, resolveArchitecture, SeededRandom } from '@effnet/core';
import { linearStages } from './linear-stages.js';
import type { Schedule, Stage, StageSettings } from './schedule.js';

/** The variants the paper and the official code give progressive settings for. */
export type PresetVariant = 's' | 'm' | 'l' | 'xl';

/** Minimum and maximum of each knob in the paper's Table 6, and the evaluation size (Table 7). */
export const PAPER_TABLE_6: Record<'s' | 'm' | 'l', { min: StageSettings; max: StageSettings; evalSize: number }> = {
  s: { min: { imageSize: 128, randAugmentMagnitude: 5, mixupAlpha: 0, cutmixAlpha: 0, dropout: 0.1 }, max: { imageSize: 300, randAugmentMagnitude: 15, mixupAlpha: 0, cutmixAlpha: 0, dropout: 0.3 }, evalSize: 384 },
  m: { min: { imageSize: 128, randAugmentMagnitude: 5, mixupAlpha: 0, cutmixAlpha: 0, dropout: 0.1 }, max: { imageSize: 380, randAugmentMagnitude: 20, mixupAlpha: 0.2, cutmixAlpha: 0, dropout: 0.4 }, evalSize: 480 },
  l: { min: { imageSize: 128, randAugmentMagnitude: 5, mixupAlpha: 0, cutmixAlpha: 0, dropout: 0.1 }, max: { imageSize: 380, randAugmentMagnitude: 25, mixupAlpha: 0.4, cutmixAlpha: 0, dropout: 0.5 }, evalSize: 480 },
};

/**
 * The official code's settings (google/automl efficientnetv2 `hparams` and `datasets`): final
 * training size, RandAugment magnitude `ram`, mixup = CutMix alpha, dropout (not scheduled), and
 * the evaluation size.
 */
export const OFFICIAL_SETTINGS: Record<PresetVariant, { trainSize: number; magnitude: number; alpha: number; dropout: number; evalSize: number }> = {
  s: { trainSize: 300, magnitude: 10, alpha: 0, dropout: 0.2, evalSize: 384 },
  m: { trainSize: 384, magnitude: 15, alpha: 0.2, dropout: 0.3, evalSize: 480 },
  l: { trainSize: 384, magnitude: 20, alpha: 0.5, dropout: 0.4, evalSize: 480 },
  xl: { trainSize: 384, magnitude: 20, alpha: 0.5, dropout: 0.4, evalSize: 512 },
};

/** Total epochs of the ImageNet recipe. */
export const IMAGENET_EPOCHS = 350;

/** `efficientnetv2-s` → `s`; throws naming the known variants otherwise. */
export function presetVariant(variant: string, allowed: readonly PresetVariant[], preset: string): PresetVariant {
  const key = variant.replace(/^efficientnetv2-/, '') as PresetVariant;
  if (!allowed.includes(key)) {
    throw new EffnetError('UNKNOWN_PRESET_VARIANT', `the ${preset} schedule has settings for ${allowed.map((v) => `efficientnetv2-${v}`).join(', ')} only`, {
      field: 'variant',
      expected: allowed.map((v) => `efficientnetv2-${v}`).join(' | '),
      actual: variant,
    });
  }
  return key;
}

/**
 * What the `fixed` preset trains `variant` at: Table 6's maximum for S, M and L; for any other
 * registered variant (EfficientNet B0-B7, EfficientNetV2-B0..B3) its own training size and
 * dropout without RandAugment or mixup (the official code trains those with AutoAugment, not
 * RandAugment), evaluated at its evaluation size. Throws for an unknown variant.
 */
export function fixedPresetSettings(variant: string): { max: StageSettings; evalSize: number } {
  const key = variant.replace(/^efficientnetv2-/, '');
  if (key === 's' || key === 'm' || key === 'l') return PAPER_TABLE_6[key];
  if (getRegistry('variant').has(variant)) {
    const spec = resolveArchitecture(variant);
    return { max: { imageSize: spec.trainSize, dropout: spec.dropout, randAugmentMagnitude: 0, mixupAlpha: 0, cutmixAlpha: 0 }, evalSize: spec.evalSize };
  }
  return PAPER_TABLE_6[presetVariant(variant, ['s', 'm', 'l'], 'fixed') as 's' | 'm' | 'l'];
}

/** The paper's Table 6: 4 stages, every knob linear from its minimum to its maximum. */
export function paperSchedule(variant: string, epochs = IMAGENET_EPOCHS): Schedule {
  const v = presetVariant(variant, ['s', 'm', 'l'], 'paper') as 's' | 'm' | 'l';
  const t = PAPER_TABLE_6[v];
  return { name: `paper efficientnetv2-${v}`, stages: linearStages({ epochs, stages: 4, from: t.min, to: t.max }), evalSize: t.evalSize, randAugmentOps: 2 };
}

/**
 * The official code's progressive loop: stage i of 4 trains at `int(128 + (size − 128)·(i+1)/4)`,
 * RandAugment magnitude linspace(5, ram, 4), mixup = CutMix alpha linspace(0, α, 4), dropout
 * fixed.
 */
export function officialSchedule(variant: string, epochs = IMAGENET_EPOCHS): Schedule {
  const v = presetVariant(variant, ['s', 'm', 'l', 'xl'], 'official');
  const o = OFFICIAL_SETTINGS[v];
  const n = 4;
  const stages: Stage[] = Array.from({ length: n }, (_, i) => {
    const alpha = (o.alpha * i) / (n - 1);
    return {
      startEpoch: (epochs * i) / n,
      endEpoch: (epochs * (i + 1)) / n,
      imageSize: Math.trunc(128 + ((o.trainSize - 128) * (i + 1)) / n),
      dropout: o.dropout,
      randAugmentMagnitude: 5 + ((o.magnitude - 5) * i) / (n - 1),
      mixupAlpha: alpha,
      cutmixAlpha: alpha,
    };
  });
  return { name: `official efficientnetv2-${v}`, stages, evalSize: o.evalSize, randAugmentOps: 2 };
}

/** Options of {@link randomResizeSchedule}. */
export interface RandomResizeOptions {
  epochs: number;
  minSize: number;
  maxSize: number;
  /** Epochs between size draws (the paper: 8). */
  every?: number;
  /** The fixed regularisation (dropout, RandAugment, mixup, CutMix). */
  settings: Omit<StageSettings, 'imageSize'>;
  /** Sizes are multiples of this (default 1). */
  multipleOf?: number;
  seed?: number;
}

/**
 * The paper's random-resize baseline (Table 13): every `every` epochs a new image size drawn
 * uniformly from [minSize, maxSize], with regularisation fixed. Seeded, so the same options give
 * the same sizes.
 */
export function randomResizeSchedule(o: RandomResizeOptions): Schedule {
  const every = o.every ?? 8;
  const step = o.multipleOf ?? 1;
  const rng = new SeededRandom(o.seed ?? 0);
  const lo = Math.ceil(o.minSize / step);
  const hi = Math.floor(o.maxSize / step);
  const stages: Stage[] = [];
  for (let start = 0; start < o.epochs; start += every) {
    const size = (lo + Math.floor(rng.next() * (hi - lo + 1))) * step;
    stages.push({ ...o.settings, startEpoch: start, endEpoch: Math.min(o.epochs, start + every), imageSize: size });
  }
  return { name: `random resize ${o.minSize}-${o.maxSize}`, stages, evalSize: o.maxSize };
}

/** One stage at a fixed size: the non-progressive baseline. */
export function fixedSchedule(epochs: number, settings: StageSettings, evalSize?: number): Schedule {
  return { name: `fixed ${settings.imageSize}`, stages: [{ ...settings, startEpoch: 0, endEpoch: epochs }], ...(evalSize ? { evalSize } : {}) };
}
