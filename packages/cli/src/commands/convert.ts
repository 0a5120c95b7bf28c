import { basename } from 'node:path';
import { EffnetError, readInputFile, saveModel, type EffNetModel } from '@effnet/core';
import { modelFromKerasWeights, modelFromTimmCheckpoint } from '@effnet/scaling';
import { useBackend } from '../backend.js';
import { readArchArgument } from '../read-arch.js';
import { checkClasses } from './info.js';

/** Checkpoint formats `effnet convert` reads. */
export const CONVERT_FORMATS = ['timm', 'keras'] as const;

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
  /** For Keras files: whether the classifier came from the file (false: fresh or none). */
  headFromFile?: boolean;
  /** Where the recorded input preprocessing comes from. */
  preprocessing: string;
}

/** Converts a checkpoint into a TF.js model folder; on any error nothing is written. */
export async function convertCheckpoint(file: string, options: ConvertOptions): Promise<ConvertResult> {
  if (!(CONVERT_FORMATS as readonly string[]).includes(options.from)) {
    throw new EffnetError('BAD_OPTION', 'unsupported checkpoint format', { field: '--from', expected: CONVERT_FORMATS.join(' | '), actual: options.from });
  }
  checkClasses(options.classes);
  const arch = await readArchArgument(options.arch);
  await useBackend('cpu');
  const bytes = await readInputFile(file, { what: 'checkpoint file', code: 'BAD_CHECKPOINT' });
  const common = {
    file,
    ...(arch.file ? { configFile: arch.file } : {}),
    ...(options.classes !== undefined ? { numClasses: options.classes } : {}),
  };
  let model: EffNetModel;
  let convention: 'official' | 'timm' = 'official';
  let source: Record<string, unknown>;
  let headFromFile: boolean | undefined;
  if (options.from === 'keras') {
    const imported = modelFromKerasWeights(bytes, arch.source, common);
    model = imported.model;
    headFromFile = imported.headFromFile;
    source = { format: imported.layout === 'keras3' ? 'keras-weights-h5' : 'keras-h5', file: basename(file), classifier: headFromFile ? 'from file' : model.spec.numClasses > 0 ? 'new' : 'none' };
  } else {
    const imported = modelFromTimmCheckpoint(bytes, arch.source, common);
    model = imported.model;
    convention = imported.convention;
    source = { format: 'timm-safetensors', file: basename(file), convention };
  }
  try {
    await saveModel(model, options.out, { source });
    return {
      out: options.out,
      name: model.spec.name,
      numClasses: model.spec.numClasses,
      params: model.countParams().trainable,
      convention,
      ...(headFromFile !== undefined ? { headFromFile } : {}),
      preprocessing: model.spec.preprocessing.source ?? 'custom',
    };
  } finally {
    model.dispose();
  }
}
