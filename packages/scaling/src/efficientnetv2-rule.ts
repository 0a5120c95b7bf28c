import {
  EffnetError,
  getRegistry,
  TIMM_TF_PREPROCESSING,
  validateArchitectureSpec,
  type ArchitectureSpec,
  type ResolveOptions,
  type ScalingRule,
  type StageSpec,
} from '@effnet/core';
import { decodeBlockString } from './block-string.js';
import { roundFilters, roundRepeats, scaleResolution } from './rounding.js';
import { readConfig, type EfficientNetV2Config } from './variant-config.js';
import { EFFICIENTNETV2_RULE } from './variants.js';

/** Official defaults (`hparams.base_config`). */
export const EFFICIENTNETV2_DEFAULTS = {
  headChannels: 1280,
  numClasses: 1000,
  dropPathRate: 0.2,
  activation: 'silu',
  bnEpsilon: 1e-3,
  bnMomentum: 0.9,
  roundLimit: 0,
} as const;

/** Follows `base` links (a config may start from a registered variant, itself possibly based on another). */
function flatten(config: EfficientNetV2Config, file: string | undefined, seen: string[] = []): EfficientNetV2Config {
  if (config.base === undefined) return config;
  if (seen.includes(config.base)) {
    throw new EffnetError('INVALID_CONFIG', 'variants form a cycle through "base"', { ...(file ? { file } : {}), field: 'base', expected: 'no cycle', actual: [...seen, config.base].join(' -> ') });
  }
  let variant;
  try {
    variant = getRegistry('variant').get(config.base);
  } catch (e) {
    throw new EffnetError('UNKNOWN_VARIANT', (e as Error).message, { ...(file ? { file } : {}), field: 'base' });
  }
  if (variant.scaling !== EFFICIENTNETV2_RULE) {
    throw new EffnetError('INVALID_CONFIG', `base variant uses scaling rule "${variant.scaling}"`, { ...(file ? { file } : {}), field: 'base', expected: EFFICIENTNETV2_RULE, actual: variant.scaling });
  }
  const parent = flatten(readConfig(variant.config, `variant ${variant.name}`), file, [...seen, config.base]);
  const { base: _base, ...own } = config;
  const changed = (['blocks', 'width', 'depth', 'resolution', 'stemChannels', 'headChannels', 'convention', 'roundLimit', 'scaleHead'] as const).filter((k) => own[k] !== undefined);
  const suffix = changed.length === 0 ? '' : `-${changed.map((k) => (typeof own[k] === 'number' ? `${k}${own[k]}` : k)).join('-')}`;
  return { ...parent, ...own, name: config.name ?? `${variant.name}${suffix}` };
}

/**
 * Resolves an {@link EfficientNetV2Config} with the official rules: every block string's
 * channels go through `round_filters` (no guard), repeats through `round_repeats` (ceil), the
 * stem is `round_filters(first input)` and the head `round_filters(1280)`.
 */
export function resolveEfficientNetV2(value: unknown, options: ResolveOptions = {}): ArchitectureSpec {
  const file = options.file;
  const config = flatten(readConfig(value, file), file);
  const where = (field: string) => ({ ...(file ? { file } : {}), field });
  if (!config.blocks) throw new EffnetError('INVALID_CONFIG', 'no blocks', { ...where('blocks'), expected: 'block strings', actual: 'nothing' });
  const width = config.width ?? 1;
  const depth = config.depth ?? 1;
  const timm = config.convention === 'timm';
  const roundLimit = config.roundLimit ?? (timm ? (config.timm?.roundLimit ?? 0.9) : EFFICIENTNETV2_DEFAULTS.roundLimit);
  const scaleHead = config.scaleHead ?? (timm ? (config.timm?.scaleHead ?? true) : true);
  const rf = (c: number) => roundFilters(c, width, { roundLimit });
  const stages: StageSpec[] = config.blocks.map((b, i) => {
    if (typeof b !== 'string') {
      return { ...b, repeats: roundRepeats(b.repeats, depth), inChannels: rf(b.inChannels), outChannels: rf(b.outChannels) };
    }
    let a;
    try {
      a = decodeBlockString(b, `blocks[${i}]`);
    } catch (e) {
      throw new EffnetError('INVALID_CONFIG', (e as EffnetError).message, file ? { file } : {});
    }
    const stage: StageSpec = {
      type: a.fused ? 'fused_mbconv' : 'mbconv',
      repeats: roundRepeats(a.repeats, depth),
      kernel: a.kernel,
      stride: a.stride,
      expandRatio: a.expandRatio,
      inChannels: rf(a.inChannels),
      outChannels: rf(a.outChannels),
    };
    if (a.seRatio !== undefined) stage.seRatio = a.seRatio;
    return stage;
  });
  const first = config.blocks[0]!;
  const firstIn = typeof first === 'string' ? decodeBlockString(first, 'blocks[0]').inChannels : first.inChannels;
  const resolution = config.resolution ?? 1;
  const trainSize = config.trainSize ?? 224;
  const evalSize = config.evalSize ?? trainSize;
  const spec: ArchitectureSpec = {
    name: options.name ?? config.name ?? 'custom',
    stem: { channels: rf(config.stemChannels ?? firstIn), kernel: 3, stride: 2 },
    stages,
    headChannels: scaleHead ? rf(config.headChannels ?? EFFICIENTNETV2_DEFAULTS.headChannels) : (config.headChannels ?? EFFICIENTNETV2_DEFAULTS.headChannels),
    numClasses: options.numClasses ?? config.numClasses ?? EFFICIENTNETV2_DEFAULTS.numClasses,
    dropout: options.dropout ?? config.dropout ?? 0.2,
    dropPathRate: options.dropPathRate ?? config.dropPathRate ?? EFFICIENTNETV2_DEFAULTS.dropPathRate,
    activation: config.activation ?? EFFICIENTNETV2_DEFAULTS.activation,
    bnEpsilon: config.bnEpsilon ?? EFFICIENTNETV2_DEFAULTS.bnEpsilon,
    bnMomentum: config.bnMomentum ?? EFFICIENTNETV2_DEFAULTS.bnMomentum,
    trainSize: resolution === 1 ? trainSize : scaleResolution(trainSize, resolution, Number.POSITIVE_INFINITY),
    evalSize: resolution === 1 ? evalSize : scaleResolution(evalSize, resolution),
    preprocessing: options.preprocessing ?? config.preprocessing ?? TIMM_TF_PREPROCESSING,
  };
  if (spec.stem.channels !== spec.stages[0]!.inChannels) {
    throw new EffnetError('INVALID_CONFIG', 'the stem must produce the first stage\'s input channels', { ...where('stemChannels'), expected: spec.stages[0]!.inChannels, actual: spec.stem.channels });
  }
  return validateArchitectureSpec(spec, file);
}

/** The official EfficientNetV2 scaling rule, registered as `efficientnetv2`. */
export const efficientNetV2Rule: ScalingRule = {
  name: EFFICIENTNETV2_RULE,
  description: 'official EfficientNetV2 rules: round_filters without guard, round_repeats with ceil, head round_filters(1280)',
  resolve: resolveEfficientNetV2,
};
