import {
  createModel,
  EffnetError,
  isEffnetError,
  loadTimmWeights,
  parseSafetensors,
  TIMM_IGNORED_BUFFERS,
  timmNumClasses,
  type EffNetModel,
  type ModelSource,
  type SafeTensor,
} from '@effnet/core';

/** Options of {@link modelFromTimmCheckpoint}. */
export interface TimmImportOptions {
  /** Classifier outputs; default: the rows of the checkpoint's `classifier.weight`. */
  numClasses?: number;
  /** Checkpoint file name for messages. */
  file?: string;
  /** The file the architecture config came from, named in config errors. */
  configFile?: string;
  /** Class names to record with the model. */
  labels?: string[];
}

/** What {@link modelFromTimmCheckpoint} returns. */
export interface TimmImport {
  model: EffNetModel;
  /** Which channel rules produced an architecture that fits the checkpoint. */
  convention: 'official' | 'timm';
}

function withConvention(source: ModelSource, convention: 'timm'): ModelSource | undefined {
  if (typeof source === 'string') return { base: source, convention };
  if ('stages' in source || 'convention' in source || 'roundLimit' in source || 'scaleHead' in source) return undefined;
  return { ...source, convention };
}

/**
 * Builds the architecture `source` (a variant name or config) and loads a timm
 * `tf_efficientnetv2_*` or `tf_efficientnet_*` (V1) safetensors checkpoint into it, exactly.
 * Width-scaled timm V2 models round channels differently from the official code (a 0.9 guard;
 * M/L/XL keep a 1280-channel head): when the official rules do not fit the checkpoint and the
 * config does not pin its rules, timm's are tried before the first mismatch is reported. timm's
 * V1 models round as the official V1 code does.
 */
export function modelFromTimmCheckpoint(bytes: Uint8Array | ReadonlyMap<string, SafeTensor>, source: ModelSource, options: TimmImportOptions = {}): TimmImport {
  const file = options.file ?? 'checkpoint.safetensors';
  const tensors = bytes instanceof Uint8Array ? parseSafetensors(bytes, file, { ignore: TIMM_IGNORED_BUFFERS }) : bytes;
  const numClasses = options.numClasses ?? timmNumClasses(tensors);
  if (numClasses === undefined) {
    throw new EffnetError('CHECKPOINT_MISMATCH', 'has no classifier.weight; pass the number of classes', { file, field: 'classifier.weight', expected: '[classes, features]', actual: 'nothing' });
  }
  const build = (s: ModelSource) => createModel(s, {
      numClasses,
      initialize: false,
      ...(options.labels ? { labels: options.labels } : {}),
      ...(options.configFile ? { file: options.configFile } : {}),
    });
  const model = build(source);
  try {
    loadTimmWeights(model, tensors, file);
    return { model, convention: 'official' };
  } catch (first) {
    model.dispose();
    const alt = isEffnetError(first) && first.code === 'CHECKPOINT_MISMATCH' ? withConvention(source, 'timm') : undefined;
    if (!alt) throw first;
    const second = build(alt);
    try {
      loadTimmWeights(second, tensors, file);
      return { model: second, convention: 'timm' };
    } catch {
      second.dispose();
      throw first;
    }
  }
}
