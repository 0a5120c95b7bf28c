import { EffnetError } from '../errors.js';
import type { EffNetModel } from '../model/effnet-model.js';
import type { WeightDecl, WeightKind } from '../model/layer-ops.js';
import { blockScope } from '../model/network-plan.js';
import type { BlockSpec } from '../spec/architecture.js';

/** One of our weights and its name and layout in another framework's checkpoint. */
export interface ExternalWeight {
  decl: WeightDecl;
  /** Name in the other checkpoint, e.g. `blocks.3.0.conv_dw.weight`. */
  externalName: string;
  /** Shape in the other framework's layout. */
  externalShape: number[];
  /** Axis permutation taking the external layout to ours (identity when absent). */
  toOurs?: number[];
}

/** PyTorch layouts: conv [out, in, kh, kw], depthwise [C, 1, kh, kw], linear [out, in]. */
const TORCH_PERM: Partial<Record<WeightKind, number[]>> = {
  conv_kernel: [2, 3, 1, 0],
  depthwise_kernel: [2, 3, 0, 1],
  dense_kernel: [1, 0],
};

const TORCH_PARAM: Record<string, string> = {
  kernel: 'weight',
  bias: 'bias',
  gamma: 'weight',
  beta: 'bias',
  moving_mean: 'running_mean',
  moving_variance: 'running_var',
};

const TIMM_FIXED_LAYERS: Record<string, string> = {
  'stem/conv': 'conv_stem',
  'stem/bn': 'bn1',
  'head/conv': 'conv_head',
  'head/bn': 'bn2',
  classifier: 'classifier',
};

/** Inverse of a permutation. */
export function invertPermutation(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

/** A block plugin hook that names the block's layers in another framework. */
type LayerNameHook = 'timmLayerNames' | 'kerasLayerNames';

/**
 * Resolves every weight's layer to another framework's layer name: fixed names for the stem, head
 * and classifier, and each block plugin's `hook` for block layers (`blocks/<stage>/<index>/<layer>`),
 * joined to the block's own prefix by `blockName`.
 */
function externalLayerNames(
  model: EffNetModel,
  hook: LayerNameHook,
  fixed: Record<string, string>,
  blockName: (block: BlockSpec, local: string) => string,
): Map<string, string> {
  const framework = hook === 'timmLayerNames' ? 'timm' : 'Keras';
  const code = hook === 'timmLayerNames' ? 'NO_TIMM_MAPPING' : 'NO_KERAS_MAPPING';
  const blocks = new Map<string, { block: BlockSpec; names: Record<string, string> }>();
  model.plan.blocks.forEach((block, i) => {
    const plugin = model.plan.plugins[i]!;
    const names = plugin[hook]?.(block);
    if (!names) throw new EffnetError(code, `block type "${plugin.name}" has no ${framework} layer names (${hook} hook)`);
    blocks.set(blockScope(block), { block, names });
  });
  const out = new Map<string, string>();
  for (const decl of model.weightDecls) {
    if (out.has(decl.layer)) continue;
    let name = fixed[decl.layer];
    if (name === undefined) {
      const m = /^(blocks\/\d+\/\d+)\/(.+)$/.exec(decl.layer);
      const entry = m ? blocks.get(m[1]!) : undefined;
      const local = m ? entry?.names[m[2]!] : undefined;
      if (!entry || local === undefined) throw new EffnetError(code, `no ${framework} name for layer "${decl.layer}"`);
      name = blockName(entry.block, local);
    }
    out.set(decl.layer, name);
  }
  return out;
}

/**
 * The timm (`tf_efficientnetv2_*`, `tf_efficientnet_*`) name and PyTorch layout of every weight of `model`, in model
 * order. Block layers are mapped by each block plugin's `timmLayerNames` hook.
 */
export function timmWeightMap(model: EffNetModel): ExternalWeight[] {
  const layers = externalLayerNames(model, 'timmLayerNames', TIMM_FIXED_LAYERS, (b, local) => `blocks.${b.stage}.${b.index}.${local}`);
  return model.weightDecls.map((decl) => {
    const param = decl.name.slice(decl.name.lastIndexOf('/') + 1);
    const perm = TORCH_PERM[decl.kind];
    const externalShape = perm ? invertPermutation(perm).map((axis) => decl.shape[axis]!) : [...decl.shape];
    const w: ExternalWeight = { decl, externalName: `${layers.get(decl.layer)!}.${TORCH_PARAM[param] ?? param}`, externalShape };
    if (perm) w.toOurs = perm;
    return w;
  });
}

const KERAS_FIXED_LAYERS: Record<string, string> = {
  'stem/conv': 'stem_conv',
  'stem/bn': 'stem_bn',
  'head/conv': 'top_conv',
  'head/bn': 'top_bn',
  classifier: 'predictions',
};

/** Keras' order of a layer's variables (`layer.weights`), trainable ones first. */
const KERAS_VARIABLE_ORDER = ['kernel', 'bias', 'gamma', 'beta', 'moving_mean', 'moving_variance'];

/** One Keras layer and its variables, in Keras' order. */
export interface KerasLayer {
  /** Keras layer name, e.g. `block4a_dwconv2`. */
  name: string;
  weights: KerasVariable[];
}

/** One of our weights as a Keras variable (Keras layouts equal ours: HWIO, [kh,kw,C,1], [in,out]). */
export interface KerasVariable {
  decl: WeightDecl;
  /** Keras 3 variable name: `kernel`, `bias`, `gamma`, `beta`, `moving_mean`, `moving_variance`. */
  variable: string;
  /** The name tf.keras 2 gave it: `depthwise_kernel` for depthwise kernels, else `variable`. */
  keras2Variable: string;
}

/** Keras' block prefix: `block{stage + 1}{a, b, c, ...}` (e.g. `block6o`), as Keras applications name it. */
export function kerasBlockPrefix(block: Pick<BlockSpec, 'stage' | 'index'>): string {
  return `block${block.stage + 1}${String.fromCharCode(97 + block.index)}`;
}

/**
 * The Keras applications layer names (`stem_conv`, `block1a_project_conv`, `block4a_se_reduce`,
 * `top_conv`, `predictions`, ...) of every layer with weights of `model`, in model order, which is
 * also the order of Keras' `model.layers`. Block layers are mapped by each block plugin's
 * `kerasLayerNames` hook.
 */
export function kerasLayerMap(model: EffNetModel): KerasLayer[] {
  const names = externalLayerNames(model, 'kerasLayerNames', KERAS_FIXED_LAYERS, (b, local) => `${kerasBlockPrefix(b)}_${local}`);
  const layers = new Map<string, KerasLayer>();
  for (const decl of model.weightDecls) {
    const name = names.get(decl.layer)!;
    let layer = layers.get(name);
    if (!layer) layers.set(name, (layer = { name, weights: [] }));
    const variable = decl.name.slice(decl.name.lastIndexOf('/') + 1);
    layer.weights.push({ decl, variable, keras2Variable: decl.kind === 'depthwise_kernel' ? 'depthwise_kernel' : variable });
  }
  for (const layer of layers.values()) layer.weights.sort((a, b) => KERAS_VARIABLE_ORDER.indexOf(a.variable) - KERAS_VARIABLE_ORDER.indexOf(b.variable));
  return [...layers.values()];
}
