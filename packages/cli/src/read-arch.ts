import { EffnetError, getRegistry, readInputFile, type ModelSource } from '@effnet/core';

/** An architecture argument: a registered variant name or the path of a config JSON. */
export interface ArchArgument {
  source: ModelSource;
  /** The config file, when one was given. */
  file?: string;
}

/**
 * Reads `--arch` / `<variant|config.json>`: a registered variant name, or a JSON file holding a
 * config (`{ "base": ..., "width": ... }` or `{ "blocks": [...] }`) or a resolved spec.
 */
export async function readArchArgument(arg: string): Promise<ArchArgument> {
  const variants = getRegistry('variant');
  if (variants.has(arg)) return { source: arg };
  if (!arg.toLowerCase().endsWith('.json')) {
    variants.get(arg); // throws: unknown variant, with the known names
  }
  const json = await readJsonFile(arg, 'config file', 'INVALID_CONFIG');
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new EffnetError('INVALID_CONFIG', 'must hold a JSON object', { file: arg, expected: 'an object', actual: Array.isArray(json) ? 'an array' : typeof json });
  }
  return { source: json as Record<string, unknown>, file: arg };
}

/** Largest JSON file read (64 MiB): configs and schedules are a few kilobytes. */
const MAX_JSON_BYTES = 64 * 1024 * 1024;

/**
 * Reads and parses a JSON file; a missing file, a folder or device, a file over 64 MiB or bad
 * JSON throws an EffnetError naming it.
 */
export async function readJsonFile(file: string, what: string, code: string): Promise<unknown> {
  const text = new TextDecoder().decode(await readInputFile(file, { what, code, maxBytes: MAX_JSON_BYTES }));
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new EffnetError(code, `is not valid JSON: ${(e as Error).message}`, { file });
  }
}

/** Parses `--resolution`: `224` or `224x320` (height x width). */
export function parseResolution(text: string): [number, number] {
  const m = /^(\d+)(?:x(\d+))?$/i.exec(text.trim());
  const h = m ? Number(m[1]) : NaN;
  const w = m ? Number(m[2] ?? m[1]) : NaN;
  if (!m || h < 8 || w < 8 || h > 8192 || w > 8192) {
    throw new EffnetError('BAD_OPTION', 'resolution must be a size like 224 or HxW like 224x320 (8..8192)', { field: '--resolution', expected: 'N or HxW', actual: text });
  }
  return [h, w];
}

/** Parses a whole-number option of at least `min` (an empty value is refused, not read as 0). */
export function parseCount(text: string, option: string, min = 1): number {
  const n = text.trim() === '' ? NaN : Number(text);
  if (!Number.isInteger(n) || n < min) throw new EffnetError('BAD_OPTION', `must be a whole number >= ${min}`, { field: option, expected: `>= ${min}`, actual: text });
  return n;
}
