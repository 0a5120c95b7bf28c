import * as tf from '@tensorflow/tfjs-core';
import { EffnetError } from '../errors.js';
import type { EffNetModel } from '../model/effnet-model.js';
import { timmWeightMap, invertPermutation } from './external-names.js';
import { permuteAxes } from './permute.js';
import { encodeSafetensors, parseSafetensors, type SafeTensor } from './safetensors.js';
import { checkWeightValues } from './weight-values.js';

/** timm buffers that carry no weights (PyTorch's int64 BatchNorm step counters). */
export const TIMM_IGNORED_BUFFERS = /(^|\.)num_batches_tracked$/;
const IGNORED = TIMM_IGNORED_BUFFERS;

/** Number of classes of a timm checkpoint (rows of `classifier.weight`), or undefined. */
export function timmNumClasses(tensors: ReadonlyMap<string, SafeTensor>): number | undefined {
  return tensors.get('classifier.weight')?.shape[0];
}

/**
 * Loads a timm `tf_efficientnetv2_*` state dict into `model`, exactly: names and PyTorch layouts
 * are mapped to ours, every tensor must be present with the right shape and no tensor may be left
 * over. Errors name the first mismatching tensor with the expected and actual shape, or the first
 * tensor holding a NaN, an infinity or a negative BatchNorm variance; on error no weight of the
 * model is changed.
 */
export function loadTimmWeights(model: EffNetModel, tensors: ReadonlyMap<string, SafeTensor>, file = 'checkpoint'): void {
  const map = timmWeightMap(model);
  const used = new Set<string>();
  const values = new Map<string, tf.Tensor>();
  try {
    for (const w of map) {
      const t = tensors.get(w.externalName);
      if (!t) {
        throw new EffnetError('CHECKPOINT_MISMATCH', 'is missing from the checkpoint', { file, field: w.externalName, expected: w.externalShape, actual: 'nothing' });
      }
      if (t.shape.join() !== w.externalShape.join()) {
        throw new EffnetError('CHECKPOINT_MISMATCH', 'has a shape that does not fit the architecture', { file, field: w.externalName, expected: w.externalShape, actual: t.shape });
      }
      used.add(w.externalName);
      checkWeightValues(t.data, w.decl.kind, file, w.externalName);
      const data = w.toOurs ? permuteAxes(t.data, t.shape, w.toOurs) : t.data;
      values.set(w.decl.name, tf.tensor(data, w.decl.shape, 'float32'));
    }
    for (const name of tensors.keys()) {
      if (!used.has(name) && !IGNORED.test(name)) {
        throw new EffnetError('CHECKPOINT_MISMATCH', 'is in the checkpoint but not in the architecture (wrong --arch?)', { file, field: name, expected: 'no such tensor', actual: tensors.get(name)!.shape });
      }
    }
    model.setWeights(values, { source: file });
  } finally {
    for (const t of values.values()) t.dispose();
  }
}

/** Parses a timm safetensors checkpoint and loads it into `model` (see {@link loadTimmWeights}). */
export function importTimmSafetensors(model: EffNetModel, bytes: Uint8Array, file = 'checkpoint.safetensors'): void {
  loadTimmWeights(model, parseSafetensors(bytes, file, { ignore: IGNORED }), file);
}

/** The model's weights as a timm state dict in safetensors format (PyTorch layouts). */
export async function exportTimmSafetensors(model: EffNetModel): Promise<Uint8Array> {
  const map = timmWeightMap(model);
  const tensors = [];
  for (const w of map) {
    const ours = (await model.weights.get(w.decl.name)!.data()) as Float32Array;
    const data = w.toOurs ? permuteAxes(ours, w.decl.shape, invertPermutation(w.toOurs)) : ours;
    tensors.push({ name: w.externalName, shape: w.externalShape, data });
  }
  return encodeSafetensors(tensors, { format: 'pt', producer: '@effnet/core' });
}
