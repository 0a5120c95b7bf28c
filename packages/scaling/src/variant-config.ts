import {
  FieldChecker,
  validatePreprocessing,
  validateStage,
  type ActivationName,
  type Preprocessing,
  type StageSpec,
} from '@effnet/core';

/** A stage given as an object (before scaling), for block types that have no block string. */
export type StageObject = StageSpec;

/**
 * What the `efficientnetv2` and `efficientnet` (V1) scaling rules read: a registered variant's
 * definition, or a user's JSON config. Either `base` (a registered variant to start from) or
 * `blocks` is required.
 */
export interface EfficientNetV2Config {
  /** Registered variant to start from; the fields below override its values. */
  base?: string;
  /** Official block strings (`r2_k3_s1_e1_i24_o24_c1`) or stage objects, before scaling. */
  blocks?: (string | StageObject)[];
  /** Width coefficient (channels). */
  width?: number;
  /** Depth coefficient (repeats). */
  depth?: number;
  /** Resolution multiplier applied to trainSize and evalSize (evaluation capped at 480). */
  resolution?: number;
  /** Stem channels before width scaling (default: the first block's input channels). */
  stemChannels?: number;
  /** Head channels before width scaling (default 1280, scaled as `round_filters(1280)`). */
  headChannels?: number;
  numClasses?: number;
  trainSize?: number;
  evalSize?: number;
  dropout?: number;
  dropPathRate?: number;
  activation?: ActivationName;
  bnEpsilon?: number;
  bnMomentum?: number;
  /** Channel-rounding guard (0 = no guard, EfficientNetV2's official rule; 0.9 = EfficientNet V1, MobileNet, timm). */
  roundLimit?: number;
  /** Width-scale the head as `round_filters(headChannels)` (official: true). */
  scaleHead?: boolean;
  /**
   * Which implementation's channel rules to follow: `official` (google/automl, the default) or
   * `timm` (its `tf_efficientnetv2_*` generators: 0.9 rounding guard for S/M/L/XL, head fixed
   * at 1280 for M/L/XL). They differ only for width-scaled variants.
   */
  convention?: 'official' | 'timm';
  /** The timm generator's rules for this variant, used when `convention` is `timm`. */
  timm?: { roundLimit: number; scaleHead: boolean };
  preprocessing?: Preprocessing;
  name?: string;
  /** Scaling rule: `efficientnetv2` (the default) or `efficientnet` (V1's rules); both read this config. */
  scaling?: string;
}

export const CONFIG_KEYS = [
  'base', 'blocks', 'width', 'depth', 'resolution', 'stemChannels', 'headChannels', 'numClasses', 'trainSize', 'evalSize',
  'dropout', 'dropPathRate', 'activation', 'bnEpsilon', 'bnMomentum', 'roundLimit', 'scaleHead', 'convention', 'timm',
  'preprocessing', 'name', 'scaling',
] as const;

const ACTIVATIONS: readonly ActivationName[] = ['silu', 'relu', 'relu6', 'gelu', 'hard_swish', 'linear'];

/** Checks a user's config object field by field; errors name the file and the field. */
export function readConfig(value: unknown, file?: string): EfficientNetV2Config {
  const c = new FieldChecker(file, 'INVALID_CONFIG');
  const o = c.object(value, 'config');
  c.onlyKeys(o, CONFIG_KEYS, '');
  const out: EfficientNetV2Config = {};
  if (o.base !== undefined) out.base = c.string(o.base, 'base');
  if (o.blocks !== undefined) {
    const blocks = c.array(o.blocks, 'blocks');
    if (blocks.length === 0) c.fail('blocks', 'must list at least one stage', 'a non-empty array', 'an empty array');
    out.blocks = blocks.map((b, i) => (typeof b === 'string' ? b : readStageObject(c, b, `blocks[${i}]`)));
  }
  if (out.base === undefined && out.blocks === undefined) c.fail('base', 'a config needs "base" (a variant name) or "blocks" (block strings)', '"base" or "blocks"', 'neither');
  const num = (key: keyof EfficientNetV2Config, rule: Parameters<FieldChecker['number']>[2]) => {
    if (o[key] !== undefined) (out as Record<string, unknown>)[key] = c.number(o[key], key, rule);
  };
  num('width', { above: 0, max: 10 });
  num('depth', { above: 0, max: 10 });
  num('resolution', { above: 0, max: 10 });
  num('stemChannels', { integer: true, min: 1 });
  num('headChannels', { integer: true, min: 1 });
  num('numClasses', { integer: true, min: 0 });
  num('trainSize', { integer: true, min: 8 });
  num('evalSize', { integer: true, min: 8 });
  num('dropout', { min: 0, max: 0.999 });
  num('dropPathRate', { min: 0, max: 0.999 });
  num('bnEpsilon', { above: 0 });
  num('bnMomentum', { min: 0, max: 1 });
  num('roundLimit', { min: 0, max: 1 });
  if (o.scaleHead !== undefined) out.scaleHead = c.boolean(o.scaleHead, 'scaleHead');
  if (o.convention !== undefined) out.convention = c.oneOf(o.convention, 'convention', ['official', 'timm'] as const);
  if (o.timm !== undefined) {
    const t = c.object(o.timm, 'timm');
    c.onlyKeys(t, ['roundLimit', 'scaleHead'], 'timm');
    out.timm = { roundLimit: c.number(t.roundLimit, 'timm.roundLimit', { min: 0, max: 1 }), scaleHead: c.boolean(t.scaleHead, 'timm.scaleHead') };
  }
  if (o.activation !== undefined) out.activation = c.oneOf(o.activation, 'activation', ACTIVATIONS);
  if (o.preprocessing !== undefined) out.preprocessing = validatePreprocessing(c, o.preprocessing, 'preprocessing');
  if (o.name !== undefined) out.name = c.string(o.name, 'name');
  if (o.scaling !== undefined) out.scaling = c.string(o.scaling, 'scaling');
  return out;
}

function readStageObject(c: FieldChecker, value: unknown, at: string): StageObject {
  const o = c.object(value, at);
  return validateStage(c, o.expandRatio === undefined ? { ...o, expandRatio: 1 } : o, at);
}
