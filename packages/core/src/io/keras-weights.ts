import { EffnetError } from '../errors.js';
import { Hdf5Dataset, readHdf5, type Hdf5Group } from './hdf5/hdf5-file.js';

/** One weight tensor of a Keras weights file. */
export interface KerasFileWeight {
  /** Name as stored (`stem_conv/kernel:0`, `stem_conv/kernel`, or the position `0`, `1`, ...). */
  name: string;
  /** Variable role: the name's last part without `:0`, `depthwise_kernel` read as `kernel`. */
  variable: string;
  shape: number[];
  /** The values, float32, row-major. */
  read(): Float32Array;
}

/** The weights of a Keras weights file, by layer name, in the file's layer order. */
export interface KerasWeightsFile {
  /** `legacy-h5`: `model.save_weights('x.h5')` / keras-applications files; `keras3`: `x.weights.h5`. */
  layout: 'legacy-h5' | 'keras3';
  /** The `keras_version` attribute, when present. */
  kerasVersion?: string;
  /** Layers that hold weights, in file order (layers without weights are left out). */
  layers: Map<string, KerasFileWeight[]>;
}

/** Variable role of a Keras 2 or 3 weight name: `block4a_dwconv2/depthwise_kernel:0` -> `kernel`. */
export function kerasVariableRole(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1).replace(/:\d+$/, '');
  return base === 'depthwise_kernel' ? 'kernel' : base;
}

const BATCH_NORM_VARIABLES = ['gamma', 'beta', 'moving_mean', 'moving_variance'];

function datasetWeight(ds: Hdf5Dataset, name: string, variable: string, file: string): KerasFileWeight {
  if (ds.type.kind !== 'float') {
    throw new EffnetError('CHECKPOINT_MISMATCH', 'must hold floats', { file, field: name, expected: 'float32', actual: ds.dtype });
  }
  return { name, variable, shape: ds.shape, read: () => ds.float32() };
}

function stringList(group: Hdf5Group, attribute: string): string[] | undefined {
  const a = group.attribute(attribute);
  if (!a) return undefined;
  return a.isString ? a.strings() : []; // weightless layers store an empty float array
}

/** `layer_names`, or its parts `layer_names0`, `layer_names1`, ... when Keras split a long list. */
function layerNames(group: Hdf5Group): string[] | undefined {
  const whole = stringList(group, 'layer_names');
  if (whole) return whole;
  if (!group.attribute('layer_names0')) return undefined;
  const out: string[] = [];
  for (let i = 0; group.attribute(`layer_names${i}`); i++) out.push(...stringList(group, `layer_names${i}`)!);
  return out;
}

function readLegacy(root: Hdf5Group, names: string[], file: string): Map<string, KerasFileWeight[]> {
  const layers = new Map<string, KerasFileWeight[]>();
  for (const layer of names) {
    const group = root.group(layer);
    if (!group) throw new EffnetError('CHECKPOINT_MISMATCH', 'is listed in layer_names but the file has no group of that name', { file, field: layer });
    const weightNames = stringList(group, 'weight_names') ?? [];
    const weights = weightNames.map((name) => {
      const ds = group.get(name);
      if (!(ds instanceof Hdf5Dataset)) {
        throw new EffnetError('CHECKPOINT_MISMATCH', 'is listed in weight_names but the file has no dataset of that name', { file, field: `${layer}/${name}` });
      }
      return datasetWeight(ds, name, kerasVariableRole(name), file);
    });
    if (weights.length) layers.set(layer, weights);
  }
  return layers;
}

/**
 * Keras 3 `model.save_weights('x.weights.h5')`: `/layers/<auto name>/vars/0, 1, ...` with the layer
 * name in the `name` attribute of `vars` (or of the layer group). Variables carry no names, so
 * their roles come from their position: BatchNorm has four, convolutions and dense layers
 * `kernel` then `bias`.
 */
function readKeras3(layersGroup: Hdf5Group, file: string): Map<string, KerasFileWeight[]> {
  const layers = new Map<string, KerasFileWeight[]>();
  for (const key of layersGroup.keys()) {
    const group = layersGroup.group(key);
    const vars = group?.group('vars');
    if (!group || !vars) continue;
    const indices = vars.keys().filter((k) => /^\d+$/.test(k)).sort((a, b) => Number(a) - Number(b));
    if (!indices.length) continue;
    const nameAttr = vars.attribute('name') ?? group.attribute('name');
    const layer = nameAttr?.isString ? nameAttr.strings()[0]! : key;
    const roles = indices.length === 4 ? BATCH_NORM_VARIABLES : ['kernel', 'bias'];
    layers.set(
      layer,
      indices.map((k, i) => {
        const ds = vars.get(k);
        if (!(ds instanceof Hdf5Dataset)) throw new EffnetError('CHECKPOINT_MISMATCH', 'is not a dataset', { file, field: `${layer}/${k}` });
        return datasetWeight(ds, `${layer}/${k}`, roles[i] ?? k, file);
      }),
    );
  }
  return layers;
}

/**
 * Reads the weights of a Keras HDF5 file: the legacy layout (root attribute `layer_names`, one
 * group per layer with a `weight_names` attribute; also under `model_weights` in full-model
 * files) written by tf.keras 2 and Keras 3 and used by the keras-applications downloads, or the
 * Keras 3 `.weights.h5` layout. Tensor values are read on demand.
 */
export function readKerasWeights(bytes: Uint8Array, file = 'weights.h5'): KerasWeightsFile {
  const h5 = readHdf5(bytes, file);
  let root = h5.root;
  let names = layerNames(root);
  if (!names && root.group('model_weights')) {
    root = root.group('model_weights')!;
    names = layerNames(root);
  }
  const version = root.attribute('keras_version') ?? h5.root.attribute('keras_version');
  const kerasVersion = version?.isString ? version.strings()[0] : undefined;
  const extra = kerasVersion !== undefined ? { kerasVersion } : {};
  if (names) return { layout: 'legacy-h5', layers: readLegacy(root, names, file), ...extra };
  const layersGroup = h5.root.group('layers');
  if (layersGroup) return { layout: 'keras3', layers: readKeras3(layersGroup, file), ...extra };
  throw new EffnetError('NOT_KERAS_WEIGHTS', 'is an HDF5 file but not Keras weights (no layer_names attribute, model_weights group or layers group)', {
    file,
    expected: 'a Keras .h5 / .weights.h5 file',
    actual: `top-level entries: ${h5.root.keys().slice(0, 5).join(', ') || 'none'}`,
  });
}
