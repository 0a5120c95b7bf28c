import { EffnetError } from '../errors.js';
import type { ResolveOptions, ScalingRule } from '../plugins/scaling-plugins.js';
import { getRegistry } from '../registry/global-registry.js';
import type { ArchitectureSpec } from '../spec/architecture.js';
import { validateArchitectureSpec } from '../spec/validate-spec.js';
import { EffNetModel, type ModelOptions } from './effnet-model.js';
import { checkBlockTypes } from './network-plan.js';

/** Scaling rule used for config objects that name none. */
export const DEFAULT_SCALING_RULE = 'efficientnetv2';

/** A variant name, a config object for a scaling rule, or a resolved {@link ArchitectureSpec}. */
export type ModelSource = string | ArchitectureSpec | Record<string, unknown>;

/** Options of {@link createModel}. */
export type CreateModelOptions = ResolveOptions & ModelOptions;

function isResolvedSpec(value: Record<string, unknown>): boolean {
  return Array.isArray(value.stages) && typeof value.stem === 'object';
}

/**
 * Resolves a variant name (`efficientnetv2-s`), a config object (`{ base, width, depth }` or
 * `{ blocks: [...] }`, read by the scaling rule named in `scaling`, default `efficientnetv2`) or
 * an already resolved spec into an {@link ArchitectureSpec}, with overrides applied. Block types
 * must be registered; errors name `options.file` when given.
 */
export function resolveArchitecture(source: ModelSource, options: ResolveOptions = {}): ArchitectureSpec {
  const spec = resolveSource(source, options);
  checkBlockTypes(spec, options.file);
  return spec;
}

function resolveSource(source: ModelSource, options: ResolveOptions): ArchitectureSpec {
  if (typeof source === 'string') {
    const variant = getRegistry('variant').get(source);
    const rule = getRegistry('scaling').get(variant.scaling);
    return rule.resolve(variant.config, { ...options, name: options.name ?? variant.name });
  }
  if (source === null || typeof source !== 'object' || Array.isArray(source)) {
    throw new EffnetError('INVALID_CONFIG', 'a model is made from a variant name or a config object', { ...(options.file ? { file: options.file } : {}), expected: 'string or object', actual: typeof source });
  }
  const obj = source as Record<string, unknown>;
  if (isResolvedSpec(obj)) {
    const spec = validateArchitectureSpec(obj, options.file);
    if (options.numClasses !== undefined) spec.numClasses = options.numClasses;
    if (options.dropout !== undefined) spec.dropout = options.dropout;
    if (options.dropPathRate !== undefined) spec.dropPathRate = options.dropPathRate;
    if (options.preprocessing) spec.preprocessing = options.preprocessing;
    if (options.name) spec.name = options.name;
    return spec;
  }
  const ruleName = typeof obj.scaling === 'string' ? obj.scaling : DEFAULT_SCALING_RULE;
  let rule: ScalingRule;
  try {
    rule = getRegistry('scaling').get(ruleName);
  } catch (e) {
    throw new EffnetError('UNKNOWN_PLUGIN', (e as Error).message, { ...(options.file ? { file: options.file } : {}), field: 'scaling' });
  }
  return rule.resolve(obj, options);
}

/**
 * Builds a model with freshly initialised weights:
 * `createModel('efficientnetv2-b0', { numClasses: 10 })`. The model accepts any input size.
 */
export function createModel(source: ModelSource, options: CreateModelOptions = {}): EffNetModel {
  const spec = resolveArchitecture(source, options);
  const modelOptions: ModelOptions = {};
  if (options.seed !== undefined) modelOptions.seed = options.seed;
  if (options.labels !== undefined) modelOptions.labels = options.labels;
  if (options.initialize !== undefined) modelOptions.initialize = options.initialize;
  return new EffNetModel(spec, modelOptions);
}
