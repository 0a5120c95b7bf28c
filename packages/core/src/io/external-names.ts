import { EffnetError } from '../errors.js';
import type { EffNetModel } from '../model/effnet-model.js';
import type { WeightDecl, WeightKind } from '../model/layer-ops.js';
import { blockScope } from '../model/network-plan.js';

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

/**
 * The timm (`tf_efficientnetv2_*`) name and PyTorch layout of every weight of `model`, in model
 * order. Block layers are mapped by each block plugin's `timmLayerNames` hook.
 */
export function timmWeightMap(model: EffNetModel): ExternalWeight[] {
  const blockLayers = new Map<string, Record<string, string>>();
  model.plan.blocks.forEach((block, i) => {
    const plugin = model.plan.plugins[i]!;
    if (!plugin.timmLayerNames) {
      throw new EffnetError('NO_TIMM_MAPPING', `block type "${plugin.name}" has no timm layer names (timmLayerNames hook)`);
    }
    blockLayers.set(blockScope(block), plugin.timmLayerNames(block));
  });
  return model.weightDecls.map((decl) => {
    const slash = decl.name.lastIndexOf('/');
    const param = decl.name.slice(slash + 1);
    let module = TIMM_FIXED_LAYERS[decl.layer];
    if (module === undefined) {
      const m = /^(blocks\/\d+\/\d+)\/(.+)$/.exec(decl.layer);
      const names = m ? blockLayers.get(m[1]!) : undefined;
      const local = m ? names?.[m[2]!] : undefined;
      if (!m || local === undefined) throw new EffnetError('NO_TIMM_MAPPING', `no timm name for layer "${decl.layer}"`);
      module = `${m[1]!.replace(/\//g, '.')}.${local}`;
    }
    const perm = TORCH_PERM[decl.kind];
    const externalShape = perm ? invertPermutation(perm).map((axis) => decl.shape[axis]!) : [...decl.shape];
    const w: ExternalWeight = { decl, externalName: `${module}.${TORCH_PARAM[param] ?? param}`, externalShape };
    if (perm) w.toOurs = perm;
    return w;
  });
}
