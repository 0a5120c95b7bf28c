import { EffnetError, exportKerasH5, exportTimmSafetensors, KERAS_IMAGENET_PREPROCESSING, KERAS_SIGNED_PREPROCESSING, loadModel, writeFileAtomic, type EffNetModel, type Preprocessing } from '@effnet/core';
import { useBackend } from '../backend.js';

/** Formats `effnet export` writes. */
export const EXPORT_FORMATS = ['keras-h5', 'timm-safetensors'] as const;
/** One of {@link EXPORT_FORMATS}. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** What `effnet export` did. */
export interface ExportResult {
  out: string;
  format: ExportFormat;
  bytes: number;
  /** How to load the file in the other framework. */
  hints: string[];
}

const KERAS_CLASSES: Record<string, { cls: string; preprocessing: Preprocessing }> = {
  'efficientnetv2-b0': { cls: 'EfficientNetV2B0', preprocessing: KERAS_IMAGENET_PREPROCESSING },
  'efficientnetv2-b1': { cls: 'EfficientNetV2B1', preprocessing: KERAS_IMAGENET_PREPROCESSING },
  'efficientnetv2-b2': { cls: 'EfficientNetV2B2', preprocessing: KERAS_IMAGENET_PREPROCESSING },
  'efficientnetv2-b3': { cls: 'EfficientNetV2B3', preprocessing: KERAS_IMAGENET_PREPROCESSING },
  'efficientnetv2-s': { cls: 'EfficientNetV2S', preprocessing: KERAS_SIGNED_PREPROCESSING },
  'efficientnetv2-m': { cls: 'EfficientNetV2M', preprocessing: KERAS_SIGNED_PREPROCESSING },
  'efficientnetv2-l': { cls: 'EfficientNetV2L', preprocessing: KERAS_SIGNED_PREPROCESSING },
};

function samePreprocessing(a: Preprocessing, b: Preprocessing): boolean {
  const close = (x: number, y: number) => Math.abs(x - y) < 1e-9;
  return close(a.scale, b.scale) && close(a.offset, b.offset) && a.mean.every((m, i) => close(m, b.mean[i]!)) && a.std.every((s, i) => close(s, b.std[i]!));
}

function describePreprocessing(p: Preprocessing): string {
  return p.source ?? `(x * ${p.scale} + ${p.offset} - [${p.mean.join(', ')}]) / [${p.std.join(', ')}]`;
}

function kerasHints(model: EffNetModel, out: string): string[] {
  const spec = model.spec;
  const known = KERAS_CLASSES[spec.name];
  const top = spec.numClasses > 0 ? `classes=${spec.numClasses}, classifier_activation=None` : 'include_top=False';
  const hints = [
    known
      ? `keras.applications.${known.cls}(weights=None, ${top}).load_weights('${out}')`
      : `a custom architecture: build the same network with keras.src.applications.efficientnet_v2.EfficientNetV2(width_coefficient=..., depth_coefficient=..., ${top}), then .load_weights('${out}')`,
  ];
  if (known && !samePreprocessing(known.preprocessing, spec.preprocessing)) {
    hints.push(`this model expects ${describePreprocessing(spec.preprocessing)}; Keras' ${known.cls} applies ${describePreprocessing(known.preprocessing)}: pass include_preprocessing=False and preprocess inputs yourself`);
  }
  return hints;
}

function timmHints(model: EffNetModel, out: string): string[] {
  const v2 = /^efficientnetv2-(b[0-3]|s|m|l|xl)$/.exec(model.spec.name);
  const v1 = /^efficientnet-(b[0-7])$/.exec(model.spec.name);
  const name = v2 ? `tf_efficientnetv2_${v2[1]}` : v1 ? `tf_efficientnet_${v1[1]}` : 'tf_efficientnetv2_<variant> or tf_efficientnet_<variant> (a custom architecture needs timm\'s generator with the same width and depth)';
  return [`timm.create_model('${name}', num_classes=${model.spec.numClasses}).load_state_dict(safetensors.torch.load_file('${out}'))`, `input convention: ${describePreprocessing(model.spec.preprocessing)}`];
}

/**
 * Writes a saved model's weights for another framework: `keras-h5` (Keras legacy HDF5, for
 * `model.load_weights`) or `timm-safetensors` (a timm `tf_efficientnetv2_*` or `tf_efficientnet_*` state dict). The file
 * is written atomically; on any error nothing is written.
 */
export async function exportModel(modelDir: string, options: { to: string; out: string }): Promise<ExportResult> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(options.to)) {
    throw new EffnetError('BAD_OPTION', 'unsupported export format', { field: '--to', expected: EXPORT_FORMATS.join(' | '), actual: options.to });
  }
  const format = options.to as ExportFormat;
  if (format === 'keras-h5' && (!/\.(h5|hdf5)$/i.test(options.out) || /\.weights\.h5$/i.test(options.out))) {
    throw new EffnetError('BAD_OPTION', "Keras reads legacy weights from files named *.h5 (not *.weights.h5, its own format)", { field: '--out', expected: 'name.h5', actual: options.out });
  }
  await useBackend('cpu');
  const model = await loadModel(modelDir);
  try {
    const bytes = format === 'keras-h5' ? await exportKerasH5(model) : await exportTimmSafetensors(model);
    await writeFileAtomic(options.out, bytes);
    return { out: options.out, format, bytes: bytes.length, hints: format === 'keras-h5' ? kerasHints(model, options.out) : timmHints(model, options.out) };
  } finally {
    model.dispose();
  }
}
