import { EffnetError } from '../errors.js';
import type { WeightKind } from '../model/layer-ops.js';

/**
 * The first value of a weight that no trained network holds, described, or undefined: a NaN or
 * infinite value in any weight, a negative BatchNorm moving variance (its square root is NaN).
 */
export function badWeightValue(data: ArrayLike<number>, kind?: WeightKind): { index: number; value: number; problem: string } | undefined {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v - v !== 0) return { index: i, value: v, problem: 'holds a value that is not a finite number' };
    if (kind === 'bn_moving_variance' && v < 0) return { index: i, value: v, problem: 'holds a negative variance' };
  }
  return undefined;
}

/** Throws an {@link EffnetError} (`BAD_WEIGHT_VALUE`) naming `file` and `field` when {@link badWeightValue} finds something. */
export function checkWeightValues(data: ArrayLike<number>, kind: WeightKind | undefined, file: string | undefined, field: string): void {
  const bad = badWeightValue(data, kind);
  if (!bad) return;
  throw new EffnetError('BAD_WEIGHT_VALUE', bad.problem, {
    ...(file ? { file } : {}),
    field,
    expected: kind === 'bn_moving_variance' ? 'finite values >= 0' : 'finite float32 values',
    actual: `${bad.value} at element ${bad.index}`,
  });
}
