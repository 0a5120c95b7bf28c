import { FieldChecker } from '@effnet/core';

/** The learning-rate schedule: linear warm-up, then exponential staircase decay, cosine decay or constant. */
export interface LearningRateConfig {
  /** Peak learning rate for `batchSize` images (scaled linearly from `perImages` when set). */
  base: number;
  /** The batch size `base` is for; with it, lr = base · batchSize / perImages (official: 0.016 per 256). */
  perImages?: number;
  /** Warm-up epochs, linear from 0 (official: 5). */
  warmupEpochs: number;
  /** After warm-up: `exponential` (×factor every decayEpochs, staircase), `cosine` or `constant`. */
  decay: 'exponential' | 'cosine' | 'constant';
  /** Exponential: epochs between decays (official 2.4). */
  decayEpochs: number;
  /** Exponential: factor per decay (official 0.97). */
  decayFactor: number;
  /** Lower bound of the learning rate (official 0). */
  min: number;
}

/** The official ImageNet setting: 0.016 per 256 images, 5 warm-up epochs, ×0.97 every 2.4 epochs. */
export const OFFICIAL_LEARNING_RATE: LearningRateConfig = { base: 0.016, perImages: 256, warmupEpochs: 5, decay: 'exponential', decayEpochs: 2.4, decayFactor: 0.97, min: 0 };

/** Checks a learning-rate config and fills in the official defaults. */
export function resolveLearningRate(value: unknown = {}, field = 'learningRate'): LearningRateConfig {
  const c = new FieldChecker(undefined, 'BAD_TRAINER_OPTION');
  const o = c.object(value, field);
  c.onlyKeys(o, ['base', 'perImages', 'warmupEpochs', 'decay', 'decayEpochs', 'decayFactor', 'min'], field);
  const d = OFFICIAL_LEARNING_RATE;
  const out: LearningRateConfig = {
    base: c.number(o.base ?? d.base, `${field}.base`, { above: 0 }),
    warmupEpochs: c.number(o.warmupEpochs ?? d.warmupEpochs, `${field}.warmupEpochs`, { min: 0 }),
    decay: c.oneOf(o.decay ?? d.decay, `${field}.decay`, ['exponential', 'cosine', 'constant'] as const),
    decayEpochs: c.number(o.decayEpochs ?? d.decayEpochs, `${field}.decayEpochs`, { above: 0 }),
    decayFactor: c.number(o.decayFactor ?? d.decayFactor, `${field}.decayFactor`, { above: 0, max: 1 }),
    min: c.number(o.min ?? d.min, `${field}.min`, { min: 0 }),
  };
  if (o.perImages !== undefined) out.perImages = c.int(o.perImages, `${field}.perImages`, { min: 1 });
  else if (o.base === undefined) out.perImages = d.perImages!;
  return out;
}

/**
 * Learning rate at `step` (0-based) as the official `WarmupLearningRateSchedule` computes it:
 * `peak·step/warmupSteps` during warm-up, then exponential staircase
 * `peak·factor^floor(step / (decayEpochs·stepsPerEpoch))` or cosine over the remaining steps,
 * never below `min`.
 */
export function learningRateAt(cfg: LearningRateConfig, step: number, stepsPerEpoch: number, totalSteps: number, batchSize: number): number {
  const peak = cfg.perImages ? (cfg.base * batchSize) / cfg.perImages : cfg.base;
  const warmupSteps = Math.round(cfg.warmupEpochs * stepsPerEpoch);
  let lr: number;
  if (cfg.decay === 'exponential') lr = peak * cfg.decayFactor ** Math.floor(step / (cfg.decayEpochs * stepsPerEpoch));
  else if (cfg.decay === 'cosine') lr = 0.5 * peak * (1 + Math.cos((Math.PI * Math.min(step, totalSteps)) / Math.max(1, totalSteps)));
  else lr = peak;
  if (step < warmupSteps) lr = (peak * step) / warmupSteps;
  return Math.max(lr, cfg.min);
}
