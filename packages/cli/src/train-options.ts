import { EffnetError } from '@effnet/core';

/** Parses a number option within bounds. */
export function parseNumber(text: string, option: string, min = -Infinity, max = Infinity): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new EffnetError('BAD_OPTION', `must be a number${min > -Infinity ? ` >= ${min}` : ''}${max < Infinity ? ` and <= ${max}` : ''}`, { field: option, expected: 'a number', actual: text });
  }
  return n;
}

/** Parses a comma-separated list of sizes (`16,22,28`). */
export function parseSizes(text: string, option: string): number[] {
  const sizes = text.split(',').map((t) => Number(t.trim()));
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 8 || n > 4096)) {
    throw new EffnetError('BAD_OPTION', 'must be image sizes separated by commas, e.g. 16,22,28', { field: option, expected: 'sizes >= 8', actual: text });
  }
  return sizes;
}
