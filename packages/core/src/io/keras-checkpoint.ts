import * as tf from '@tensorflow/tfjs-core';
import { EffnetError } from '../errors.js';
import type { EffNetModel } from '../model/effnet-model.js';
import { kerasLayerMap, type KerasLayer } from './external-names.js';
import { writeHdf5, type Hdf5AttributeInput, type Hdf5DatasetInput, type Hdf5GroupInput } from './hdf5/hdf5-writer.js';
import type { KerasWeightsFile } from './keras-weights.js';
import { checkWeightValues } from './weight-values.js';

/** Options of {@link loadKerasWeights}. */
export interface KerasLoadOptions {
  /** File name for messages. */
  file?: string;
  /**
   * Leave the classifier as it is when the file has no `predictions` layer (a `_notop` file): the
   * model keeps its freshly initialised head. Default false: every layer must be in the file.
   */
  keepHeadWhenMissing?: boolean;
}

const shapeText = (layer: KerasLayer) => layer.weights.map((w) => `${w.variable} [${w.decl.shape.join(',')}]`).join(', ');

/**
 * Loads Keras weights (see `readKerasWeights`) into `model` by Keras layer name: every layer of
 * the model must be in the file with the right shapes, and the file may hold no layer with
 * weights that the model lacks. Variables are matched by role (`kernel`, `gamma`, ...), Keras 2
 * and Keras 3 names alike. Errors name the layer and the expected and actual shapes (or the first
 * NaN, infinity or negative BatchNorm variance); on error no weight of the model is changed.
 */
export function loadKerasWeights(model: EffNetModel, weights: KerasWeightsFile, options: KerasLoadOptions = {}): { loaded: string[]; kept: string[] } {
  const file = options.file ?? 'weights.h5';
  const expected = kerasLayerMap(model);
  const known = new Set(expected.map((l) => l.name));
  const values = new Map<string, tf.Tensor>();
  const loaded: string[] = [];
  const kept: string[] = [];
  try {
    for (const layer of expected) {
      const inFile = weights.layers.get(layer.name);
      if (!inFile) {
        if (layer.name === 'predictions' && options.keepHeadWhenMissing) {
          kept.push(layer.name);
          continue;
        }
        throw new EffnetError('CHECKPOINT_MISMATCH', 'layer is missing from the file', { file, field: layer.name, expected: shapeText(layer), actual: 'nothing' });
      }
      for (const w of layer.weights) {
        const found = inFile.find((f) => f.variable === w.variable);
        const field = `${layer.name}/${w.variable}`;
        if (!found) {
          throw new EffnetError('CHECKPOINT_MISMATCH', 'is missing from the file', { file, field, expected: w.decl.shape, actual: `only ${inFile.map((f) => f.name).join(', ')}` });
        }
        if (found.shape.join() !== w.decl.shape.join()) {
          throw new EffnetError('CHECKPOINT_MISMATCH', 'has a shape that does not fit the architecture', { file, field, expected: w.decl.shape, actual: found.shape });
        }
      }
      const extra = inFile.find((f) => !layer.weights.some((w) => w.variable === f.variable));
      if (extra) {
        throw new EffnetError('CHECKPOINT_MISMATCH', 'is in the file but not in the architecture', { file, field: `${layer.name}/${extra.variable}`, expected: shapeText(layer), actual: extra.shape });
      }
    }
    for (const [name, inFile] of weights.layers) {
      if (!known.has(name)) {
        throw new EffnetError('CHECKPOINT_MISMATCH', 'is a layer in the file but not in the architecture (wrong --arch?)', {
          file,
          field: name,
          expected: 'no such layer',
          actual: inFile.map((f) => `${f.variable} [${f.shape.join(',')}]`).join(', '),
        });
      }
    }
    for (const layer of expected) {
      const inFile = weights.layers.get(layer.name);
      if (!inFile) continue;
      for (const w of layer.weights) {
        const found = inFile.find((f) => f.variable === w.variable)!;
        const data = found.read();
        checkWeightValues(data, w.decl.kind, file, `${layer.name}/${w.variable}`);
        values.set(w.decl.name, tf.tensor(data, w.decl.shape, 'float32'));
      }
      loaded.push(layer.name);
    }
    model.setWeights(values, { source: file, complete: kept.length === 0 });
    return { loaded, kept };
  } finally {
    for (const t of values.values()) t.dispose();
  }
}

/** Keras' limit for one attribute (`HDF5_OBJECT_HEADER_LIMIT`); longer string lists are split. */
const ATTRIBUTE_LIMIT = 64512;

/**
 * `name` as Keras writes a string-list attribute: whole when it fits, else split into
 * `name0`, `name1`, ... like `numpy.array_split` in Keras' `save_attributes_to_hdf5_group`.
 */
export function kerasStringAttributes(name: string, strings: string[]): [string, Hdf5AttributeInput][] {
  const width = Math.max(1, ...strings.map((s) => s.length));
  if (strings.length * width <= ATTRIBUTE_LIMIT) return [[name, { strings }]];
  let parts = 1;
  const chunk = (k: number) => {
    const base = Math.floor(strings.length / k);
    const extra = strings.length % k;
    const out: string[][] = [];
    let start = 0;
    for (let i = 0; i < k; i++) {
      const n = base + (i < extra ? 1 : 0);
      out.push(strings.slice(start, start + n));
      start += n;
    }
    return out;
  };
  while (chunk(parts).some((c) => c.length * width > ATTRIBUTE_LIMIT)) parts++;
  return chunk(parts).map((c, i) => [`${name}${i}`, { strings: c }]);
}

/** One layer for {@link encodeKerasH5}: its variables in Keras' order. */
export interface KerasH5Layer {
  name: string;
  weights: { variable: string; shape: number[]; data: Float32Array }[];
}

/**
 * The root group of a Keras legacy HDF5 weights file holding `layers` in the given order:
 * attributes `layer_names` (split when long), `backend` and `keras_version`; per layer a group
 * with the `weight_names` attribute (`<layer>/<variable>`, Keras 3 style) and the datasets under
 * `<layer>/<layer>/<variable>`. Full-model files hold the same group as `model_weights`.
 */
export function kerasWeightsGroup(layers: KerasH5Layer[], options: { kerasVersion?: string } = {}): Hdf5GroupInput {
  const children = new Map<string, Hdf5GroupInput | Hdf5DatasetInput>();
  for (const layer of layers) {
    const inner = new Map<string, Hdf5DatasetInput>(layer.weights.map((w) => [w.variable, { kind: 'dataset', shape: [...w.shape], data: w.data }]));
    children.set(layer.name, {
      kind: 'group',
      attributes: kerasStringAttributes('weight_names', layer.weights.map((w) => `${layer.name}/${w.variable}`)),
      children: new Map([[layer.name, { kind: 'group', children: inner }]]),
    });
  }
  return {
    kind: 'group',
    attributes: [
      ...kerasStringAttributes('layer_names', layers.map((l) => l.name)),
      ['backend', { strings: ['tensorflow'], scalar: true }],
      // Keras only compares this with '1' (Keras 1 files get converted); later versions load as they are.
      ['keras_version', { strings: [options.kerasVersion ?? '3.0.0'], scalar: true }],
    ],
    children,
  };
}

/** A Keras legacy HDF5 weights file holding `layers` (see {@link kerasWeightsGroup}). */
export function encodeKerasH5(layers: KerasH5Layer[], options: { kerasVersion?: string } = {}): Uint8Array {
  return writeHdf5(kerasWeightsGroup(layers, options));
}

/**
 * The model's weights as a Keras legacy HDF5 weights file, the layout of `model.save_weights`
 * in tf.keras 2 and of the keras-applications downloads: it loads with
 * `keras.applications.EfficientNetV2B0(weights=None, classes=N).load_weights('file.h5')` (the
 * file name must end in `.h5` but not `.weights.h5`, which Keras 3 reads as its own format).
 * Only layers with weights are listed; a model without classifier gives a `_notop` file.
 */
export async function exportKerasH5(model: EffNetModel, options: { kerasVersion?: string } = {}): Promise<Uint8Array> {
  const layers: KerasH5Layer[] = [];
  for (const layer of kerasLayerMap(model)) {
    const weights = [];
    for (const w of layer.weights) {
      weights.push({ variable: w.variable, shape: [...w.decl.shape], data: (await model.weights.get(w.decl.name)!.data()) as Float32Array });
    }
    layers.push({ name: layer.name, weights });
  }
  if (layers.length === 0) throw new EffnetError('EMPTY_MODEL', 'the model has no weights to export');
  return encodeKerasH5(layers, options);
}
