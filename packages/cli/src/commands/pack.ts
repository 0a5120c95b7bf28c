import { EffnetError } from '@effnet/core';
import { packVariant, type PackResult, type UserMetadata } from '@effnet/hub';
import { useBackend } from '../backend.js';
import { readJsonFile } from '../read-arch.js';

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
  const json = await readJsonFile(file, 'metadata file', 'INVALID_VARIANT');
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new EffnetError('INVALID_VARIANT', 'must hold a JSON object', { file, expected: 'an object', actual: Array.isArray(json) ? 'an array' : json === null ? 'null' : typeof json });
  }
  return json as UserMetadata;
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
    ...(options.metadata ? { metadataFile: options.metadata } : {}),
    ...(options.version ? { version: options.version } : {}),
    ...(options.out ? { out: options.out } : {}),
  });
}
