import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { EffnetError, saveModel } from '@effnet/core';
import { modelFromTimmCheckpoint } from '@effnet/scaling';
import { useBackend } from '../backend.js';
import { readArchArgument } from '../read-arch.js';

/** Options of `effnet convert`. */
export interface ConvertOptions {
  from: string;
  arch: string;
  classes?: number;
  out: string;
}

/** What `effnet convert` did. */
export interface ConvertResult {
  out: string;
  name: string;
  numClasses: number;
  params: number;
  convention: 'official' | 'timm';
}

/** Converts a checkpoint into a TF.js model folder; on any error nothing is written. */
export async function convertCheckpoint(file: string, options: ConvertOptions): Promise<ConvertResult> {
  if (options.from !== 'timm') {
    throw new EffnetError('BAD_OPTION', 'unsupported checkpoint format', { field: '--from', expected: 'timm', actual: options.from });
  }
  const arch = await readArchArgument(options.arch);
  await useBackend('cpu');
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch {
    throw new EffnetError('NOT_FOUND', 'checkpoint file not found', { file });
  }
  const { model, convention } = modelFromTimmCheckpoint(bytes, arch.source, {
    file,
    ...(arch.file ? { configFile: arch.file } : {}),
    ...(options.classes !== undefined ? { numClasses: options.classes } : {}),
  });
  try {
    await saveModel(model, options.out, { source: { format: 'timm-safetensors', file: basename(file), convention } });
    return { out: options.out, name: model.spec.name, numClasses: model.spec.numClasses, params: model.countParams().trainable, convention };
  } finally {
    model.dispose();
  }
}
