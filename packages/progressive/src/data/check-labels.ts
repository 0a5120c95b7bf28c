import { EffnetError } from '@effnet/core';

/** Throws naming `file` and the first label outside 0..numClasses-1. */
export function checkLabels(labels: ArrayLike<number>, numClasses: number, file: string): void {
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    if (!Number.isInteger(y) || y < 0 || y >= numClasses) {
      throw new EffnetError('BAD_LABEL', `label of example ${i} is outside the ${numClasses} classes`, { file, field: `labels[${i}]`, expected: `0..${numClasses - 1}`, actual: y });
    }
  }
}

/** The number of classes implied by labels (largest + 1). */
export function classCount(labels: ArrayLike<number>): number {
  let max = -1;
  for (let i = 0; i < labels.length; i++) max = Math.max(max, labels[i]!);
  return max + 1;
}
