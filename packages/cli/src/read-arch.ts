import { readFile } from 'node:fs/promises';
import { EffnetError, getRegistry, type ModelSource } from '@effnet/core';

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
  let text: string;
  try {
    text = await readFile(arg, 'utf8');
  } catch {
    throw new EffnetError('NOT_FOUND', 'config file not found', { file: arg });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new EffnetError('INVALID_CONFIG', `is not valid JSON: ${(e as Error).message}`, { file: arg });
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new EffnetError('INVALID_CONFIG', 'must hold a JSON object', { file: arg, expected: 'an object', actual: Array.isArray(json) ? 'an array' : typeof json });
  }
  return { source: json as Record<string, unknown>, file: arg };
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

/** Parses a positive integer option. */
export function parseCount(text: string, option: string, min = 1): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new EffnetError('BAD_OPTION', `must be a whole number >= ${min}`, { field: option, expected: `>= ${min}`, actual: text });
  return n;
}
