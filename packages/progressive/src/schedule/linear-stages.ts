import type { Stage, StageSettings } from './schedule.js';

/** Options of {@link linearStages}. */
export interface LinearStagesOptions {
  /** Total epochs, split evenly between the stages. */
  epochs: number;
  /** Number of stages (the paper uses 4). */
  stages: number;
  /** Settings of the first stage. */
  from: StageSettings;
  /** Settings of the last stage; knobs left out stay at their `from` value. */
  to: Partial<StageSettings>;
}

/**
 * Stages whose settings go linearly from `from` (first stage) to `to` (last stage), as in the
 * paper's Algorithm 1: stage i of N gets `from + (to − from)·i/(N − 1)`. Image sizes are rounded
 * down to whole pixels; user knobs in `extra` are interpolated the same way.
 */
export function linearStages(o: LinearStagesOptions): Stage[] {
  const n = o.stages;
  const lerp = (a: number, b: number | undefined, i: number) => (b === undefined || n === 1 ? a : a + ((b - a) * i) / (n - 1));
  return Array.from({ length: n }, (_, i) => {
    const stage: Stage = {
      startEpoch: (o.epochs * i) / n,
      endEpoch: (o.epochs * (i + 1)) / n,
      imageSize: Math.floor(lerp(o.from.imageSize, o.to.imageSize, i) + 1e-9),
      dropout: lerp(o.from.dropout, o.to.dropout, i),
      randAugmentMagnitude: lerp(o.from.randAugmentMagnitude, o.to.randAugmentMagnitude, i),
      mixupAlpha: lerp(o.from.mixupAlpha, o.to.mixupAlpha, i),
      cutmixAlpha: lerp(o.from.cutmixAlpha, o.to.cutmixAlpha, i),
    };
    if (o.from.dropPathRate !== undefined) stage.dropPathRate = lerp(o.from.dropPathRate, o.to.dropPathRate, i);
    if (o.from.extra) stage.extra = Object.fromEntries(Object.entries(o.from.extra).map(([k, v]) => [k, lerp(v, o.to.extra?.[k], i)]));
    return stage;
  });
}
