import {
  createModel,
  EffnetError,
  initialValue,
  KERAS_IMAGENET_PREPROCESSING,
  KERAS_SIGNED_PREPROCESSING,
  loadKerasWeights,
  readKerasWeights,
  SeededRandom,
  type EffNetModel,
  type KerasWeightsFile,
  type ModelSource,
  type Preprocessing,
} from '@effnet/core';

/** Options of {@link modelFromKerasWeights}. */
export interface KerasImportOptions {
  /**
   * Classifier outputs. Default: the columns of the file's `predictions` kernel; for a file
   * without classifier (`_notop`), 0 (a feature extractor). With a `_notop` file and N > 0 a fresh
   * classifier of N outputs is initialised (seeded by `seed`).
   */
  numClasses?: number;
  /** Weights file name for messages. */
  file?: string;
  /** The file the architecture config came from, named in config errors. */
  configFile?: string;
  /** Class names to record with the model. */
  labels?: string[];
  /** Seed of a fresh classifier. */
  seed?: number;
}

/** What {@link modelFromKerasWeights} returns. */
export interface KerasImport {
  model: EffNetModel;
  layout: KerasWeightsFile['layout'];
  /** True when the classifier came from the file; false for a fresh (or absent) head. */
  headFromFile: boolean;
}

/** The variant an architecture source starts from (`efficientnetv2-b0`, ...), when it names one. */
function variantName(source: ModelSource): string | undefined {
  if (typeof source === 'string') return source;
  const base = (source as { base?: unknown }).base;
  if (typeof base === 'string') return base;
  const name = (source as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}

/**
 * The input preprocessing of a Keras EfficientNetV2 application: B0-B3 rescale by 1/255 and
 * normalise with the ImageNet mean and standard deviation, S/M/L map 0..255 to -1..1. Sources that
 * name neither family get the B-family convention.
 */
export function kerasPreprocessing(source: ModelSource): Preprocessing {
  const name = variantName(source) ?? '';
  return /efficientnetv2-(s|m|l|xl)\b/i.test(name) ? KERAS_SIGNED_PREPROCESSING : KERAS_IMAGENET_PREPROCESSING;
}

/**
 * Builds the architecture `source` and loads Keras EfficientNetV2 weights into it by layer name:
 * a legacy `.h5` (keras-applications downloads, `model.save_weights('x.h5')`, Keras 2 or 3) or a
 * Keras 3 `.weights.h5`. A file without `predictions` (`efficientnetv2-*_notop.h5`) gives a
 * feature extractor, or with `numClasses` a model whose new classifier is freshly initialised,
 * ready for fine-tuning. The model records Keras' input preprocessing for its family unless the
 * config sets its own.
 */
export function modelFromKerasWeights(weights: Uint8Array | KerasWeightsFile, source: ModelSource, options: KerasImportOptions = {}): KerasImport {
  const file = options.file ?? 'weights.h5';
  const parsed = weights instanceof Uint8Array ? readKerasWeights(weights, file) : weights;
  const head = parsed.layers.get('predictions');
  const headKernel = head?.find((w) => w.variable === 'kernel');
  const numClasses = options.numClasses ?? (headKernel ? headKernel.shape[1] : 0);
  if (numClasses === undefined) throw new EffnetError('CHECKPOINT_MISMATCH', 'has a predictions kernel without a class dimension', { file, field: 'predictions/kernel' });
  const ownPreprocessing = typeof source === 'object' && 'preprocessing' in source;
  const model = createModel(source, {
    numClasses,
    initialize: false,
    ...(ownPreprocessing ? {} : { preprocessing: kerasPreprocessing(source) }),
    ...(options.labels ? { labels: options.labels } : {}),
    ...(options.configFile ? { file: options.configFile } : {}),
  });
  try {
    const { kept } = loadKerasWeights(model, parsed, { file, keepHeadWhenMissing: true });
    if (kept.length) {
      const seeds = new SeededRandom(options.seed ?? 0);
      const fresh = new Map<string, ReturnType<typeof initialValue>>();
      for (const decl of model.weightDecls.filter((d) => d.layer === 'classifier')) fresh.set(decl.name, initialValue(decl, seeds.nextSeed()));
      try {
        model.setWeights(fresh, { complete: false });
      } finally {
        for (const t of fresh.values()) t.dispose();
      }
    }
    return { model, layout: parsed.layout, headFromFile: head !== undefined && numClasses > 0 };
  } catch (e) {
    model.dispose();
    throw e;
  }
}
