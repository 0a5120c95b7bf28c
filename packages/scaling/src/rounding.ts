/** Options of {@link roundFilters}. */
export interface RoundFiltersOptions {
  /** Channel counts are multiples of this (8). */
  divisor?: number;
  /** Smallest channel count (8). */
  minDepth?: number;
  /**
   * MobileNet's guard: if rounding lands below `roundLimit` x the scaled value, add one divisor.
   * The official EfficientNetV2 code has no guard (0, the default); timm's default is 0.9.
   */
  roundLimit?: number;
}

/**
 * Width scaling of a channel count, as the official code does it:
 * `max(minDepth, floor(filters * width + divisor / 2) // divisor * divisor)`, with no 90 % guard
 * unless `roundLimit` asks for one.
 */
export function roundFilters(filters: number, width: number, options: RoundFiltersOptions = {}): number {
  const divisor = options.divisor ?? 8;
  const minDepth = options.minDepth ?? divisor;
  if (!width) return filters;
  const scaled = filters * width;
  let rounded = Math.max(minDepth, Math.floor(Math.floor(scaled + divisor / 2) / divisor) * divisor);
  const limit = options.roundLimit ?? 0;
  if (limit > 0 && rounded < limit * scaled) rounded += divisor;
  return Math.trunc(rounded);
}

/** Depth scaling of a stage's repeats: `ceil(depth * repeats)`. */
export function roundRepeats(repeats: number, depth: number): number {
  if (!depth) return repeats;
  return Math.ceil(depth * repeats);
}

/** The paper restricts the largest inference image size to 480. */
export const MAX_EVAL_SIZE = 480;

/**
 * Resolution scaling: `size * multiplier`, rounded to a multiple of 8 and capped at `cap`
 * (default 480, the paper's limit on inference size).
 */
export function scaleResolution(size: number, multiplier: number, cap = MAX_EVAL_SIZE): number {
  return Math.min(cap, Math.max(8, Math.round((size * multiplier) / 8) * 8));
}
