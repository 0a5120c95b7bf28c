/**
 * What one stage of progressive learning sets: the image size and the strength of the three
 * regularisers the paper adapts to it (dropout, RandAugment magnitude, mixup / CutMix), plus
 * optional stochastic depth and any user knobs.
 */
export interface StageSettings {
  /** Training image size in pixels (square). */
  imageSize: number;
  /** Dropout rate before the classifier. */
  dropout: number;
  /** RandAugment magnitude M (0 turns RandAugment off). */
  randAugmentMagnitude: number;
  /** Mixup Beta(α, α) parameter (0 = off). */
  mixupAlpha: number;
  /** CutMix Beta(α, α) parameter (0 = off). */
  cutmixAlpha: number;
  /** Stochastic-depth rate for this stage (default: the trainer's / the model's). */
  dropPathRate?: number;
  /** User knobs: named numbers the trainer hands to `onStage` hooks and custom augmentations. */
  extra?: Record<string, number>;
}

/** One stage: settings that hold from `startEpoch` (inclusive) to `endEpoch` (exclusive). */
export interface Stage extends StageSettings {
  /** First epoch of the stage; fractions are allowed (the official code splits 350 epochs into 87.5). */
  startEpoch: number;
  /** Epoch where the next stage starts; the last stage's is the total number of epochs. */
  endEpoch: number;
}

/**
 * A training schedule: contiguous stages in epoch order. Weights carry over from stage to stage;
 * the learning-rate schedule is global and does not restart.
 */
export interface Schedule {
  /** Name shown in logs and reports, e.g. `paper efficientnetv2-s`. */
  name: string;
  stages: Stage[];
  /** Image size for evaluation (FixRes: larger than the last training size); default: the last stage's size. */
  evalSize?: number;
  /** RandAugment ops per image (official: 2). */
  randAugmentOps?: number;
}

/** Settings of `Stage` that are numbers the trainer interpolates or reads. */
export const STAGE_KNOBS = ['imageSize', 'dropout', 'randAugmentMagnitude', 'mixupAlpha', 'cutmixAlpha'] as const;

/** Total epochs of a schedule (the last stage's end). */
export function totalEpochs(schedule: Schedule): number {
  return schedule.stages[schedule.stages.length - 1]!.endEpoch;
}

/** Index of the stage that covers `epoch` (a fractional epoch counts; past the end: the last stage). */
export function stageIndexAt(schedule: Schedule, epoch: number): number {
  const i = schedule.stages.findIndex((s) => epoch < s.endEpoch);
  return i === -1 ? schedule.stages.length - 1 : i;
}

/** The evaluation size: the schedule's, else the last stage's training size. */
export function evalSizeOf(schedule: Schedule): number {
  return schedule.evalSize ?? schedule.stages[schedule.stages.length - 1]!.imageSize;
}
