import { readFile } from 'node:fs/promises';
import { EffnetError } from '@effnet/core';
import { packVariant, type PackResult, type UserMetadata } from '@effnet/hub';
import { useBackend } from '../backend.js';

/** Options of `effnet pack`. */
export interface PackCommandOptions {
  name: string;
  version?: string;
  out?: string;
  /** JSON file with description, license, metrics, recipe, source, tags, labels, cropPct. */
  metadata?: string;
  license?: string;
  description?: string;
}

async function readMetadataFile(file: string): Promise<UserMetadata> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new EffnetError('NOT_FOUND', 'metadata file not found', { file });
  }
  try {
    return JSON.parse(text) as UserMetadata;
  } catch (e) {
    throw new EffnetError('INVALID_VARIANT', `is not valid JSON: ${(e as Error).message}`, { file });
  }
}

/** Makes an npm package from a saved model folder. */
export async function packCommand(modelDir: string, options: PackCommandOptions): Promise<PackResult> {
  await useBackend('cpu');
  const metadata: UserMetadata = options.metadata ? await readMetadataFile(options.metadata) : {};
  if (options.license) metadata.license = options.license;
  if (options.description) metadata.description = options.description;
  return packVariant(modelDir, {
    name: options.name,
    metadata,
    ...(options.version ? { version: options.version } : {}),
    ...(options.out ? { out: options.out } : {}),
  });
}
