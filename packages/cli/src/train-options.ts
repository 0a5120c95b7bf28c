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

/** Parses `--workers`: `auto` or a whole number of worker threads (0 = none). */
export function parseWorkers(text: string, option = '--workers'): number | 'auto' {
  if (text === 'auto') return 'auto';
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 64) throw new EffnetError('BAD_OPTION', 'must be auto or a whole number of worker threads from 0 to 64', { field: option, expected: 'auto or 0..64', actual: text });
  return n;
}

/** Parses `--dropout first,last` (two rates in [0, 1)). */
export function parseDropoutRange(text: string, option = '--dropout'): [number, number] {
  return parseRange(text, option, 0, 0.999, 'two dropout rates in [0, 1)', '0.05,0.15');
}

/** Parses `first,last`: two numbers in [min, max] (a knob's value at the first and the last stage). */
export function parseRange(text: string, option: string, min: number, max: number, what = `two numbers in [${min}, ${max}]`, example = `${min},${max}`): [number, number] {
  const parts = text.split(',').map((t) => (t.trim() === '' ? NaN : Number(t.trim())));
  if (parts.length !== 2 || parts.some((r) => !Number.isFinite(r) || r < min || r > max)) {
    throw new EffnetError('BAD_OPTION', `must be ${what} separated by a comma, e.g. ${example}`, { field: option, expected: 'first,last', actual: text });
  }
  return [parts[0]!, parts[1]!];
}
