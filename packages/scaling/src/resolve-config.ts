import {
  EffnetError,
  getRegistry,
  validateArchitectureSpec,
  type ArchitectureSpec,
  type ResolveOptions,
  type StageSpec,
} from '@effnet/core';
import { decodeBlockString } from './block-string.js';
import { roundFilters, roundRepeats, scaleResolution } from './rounding.js';
import { RULE_DEFAULTS } from './rule-defaults.js';
import { readConfig, type EfficientNetV2Config } from './variant-config.js';

/** A config with its `base` links followed, and the rule of the variant the chain starts from. */
interface Flattened {
  config: EfficientNetV2Config;
  /** Scaling rule of the innermost base variant; undefined when the config has no base. */
  family?: string;
}

/** Follows `base` links (a config may start from a registered variant, itself possibly based on another). */
function flatten(config: EfficientNetV2Config, file: string | undefined, seen: string[] = []): Flattened {
  if (config.base === undefined) return { config };
  if (seen.includes(config.base)) {
    throw new EffnetError('INVALID_CONFIG', 'variants form a cycle through "base"', { ...(file ? { file } : {}), field: 'base', expected: 'no cycle', actual: [...seen, config.base].join(' -> ') });
  }
  let variant;
  try {
    variant = getRegistry('variant').get(config.base);
  } catch (e) {
    throw new EffnetError('UNKNOWN_VARIANT', (e as Error).message, { ...(file ? { file } : {}), field: 'base' });
  }
  if (RULE_DEFAULTS[variant.scaling] === undefined) {
    throw new EffnetError('INVALID_CONFIG', `base variant uses scaling rule "${variant.scaling}"`, { ...(file ? { file } : {}), field: 'base', expected: Object.keys(RULE_DEFAULTS).join(' or '), actual: variant.scaling });
  }
  const parent = flatten(readConfig(variant.config, `variant ${variant.name}`), file, [...seen, config.base]);
  const { base: _base, ...own } = config;
  const changed = (['blocks', 'width', 'depth', 'resolution', 'stemChannels', 'headChannels', 'convention', 'roundLimit', 'scaleHead'] as const).filter((k) => own[k] !== undefined);
  const suffix = changed.length === 0 ? '' : `-${changed.map((k) => (typeof own[k] === 'number' ? `${k}${own[k]}` : k)).join('-')}`;
  return { config: { ...parent.config, ...own, name: config.name ?? `${variant.name}${suffix}` }, family: parent.family ?? variant.scaling };
}

/**
 * Resolves a config (block strings, width, depth, ...) into an {@link ArchitectureSpec} with the
 * rules of one EfficientNet generation: every block string's channels go through `round_filters`,
 * repeats through `round_repeats` (ceil), the stem is `round_filters(first input)` and the head
 * `round_filters(headChannels)`. Which defaults apply (rounding guard, BatchNorm momentum,
 * evaluation-size cap, preprocessing): the config's own `scaling` when it names one of these
 * rules, else the rule of the variant its `base` chain starts from, else `rule`.
 */
export function resolveEfficientNetConfig(value: unknown, options: ResolveOptions, rule: string): ArchitectureSpec {
  const file = options.file;
  const own = readConfig(value, file);
  const { config, family } = flatten(own, file);
  const chosen = own.scaling !== undefined && RULE_DEFAULTS[own.scaling] ? own.scaling : (family ?? rule);
  const defaults = RULE_DEFAULTS[chosen] ?? RULE_DEFAULTS[rule]!;
  const where = (field: string) => ({ ...(file ? { file } : {}), field });
  if (!config.blocks) throw new EffnetError('INVALID_CONFIG', 'no blocks', { ...where('blocks'), expected: 'block strings', actual: 'nothing' });
  const width = config.width ?? 1;
  const depth = config.depth ?? 1;
  const timm = config.convention === 'timm';
  const roundLimit = config.roundLimit ?? (timm ? (config.timm?.roundLimit ?? 0.9) : defaults.roundLimit);
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
  const trainSize = config.trainSize ?? defaults.trainSize;
  const evalSize = config.evalSize ?? trainSize;
  const headChannels = config.headChannels ?? defaults.headChannels;
  const spec: ArchitectureSpec = {
    name: options.name ?? config.name ?? 'custom',
    stem: { channels: rf(config.stemChannels ?? firstIn), kernel: 3, stride: 2 },
    stages,
    headChannels: scaleHead ? rf(headChannels) : headChannels,
    numClasses: options.numClasses ?? config.numClasses ?? defaults.numClasses,
    dropout: options.dropout ?? config.dropout ?? defaults.dropout,
    dropPathRate: options.dropPathRate ?? config.dropPathRate ?? defaults.dropPathRate,
    activation: config.activation ?? defaults.activation,
    bnEpsilon: config.bnEpsilon ?? defaults.bnEpsilon,
    bnMomentum: config.bnMomentum ?? defaults.bnMomentum,
    trainSize: resolution === 1 ? trainSize : scaleResolution(trainSize, resolution, Number.POSITIVE_INFINITY),
    evalSize: resolution === 1 ? evalSize : scaleResolution(evalSize, resolution, defaults.maxEvalSize),
    preprocessing: options.preprocessing ?? config.preprocessing ?? defaults.preprocessing,
  };
  if (spec.stem.channels !== spec.stages[0]!.inChannels) {
    throw new EffnetError('INVALID_CONFIG', 'the stem must produce the first stage\'s input channels', { ...where('stemChannels'), expected: spec.stages[0]!.inChannels, actual: spec.stem.channels });
  }
  return validateArchitectureSpec(spec, file);
}
