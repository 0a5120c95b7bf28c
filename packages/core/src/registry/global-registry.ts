import type { BlockPlugin } from '../plugins/block-plugin.js';
import type { ScalingRule, VariantPlugin } from '../plugins/scaling-plugins.js';
import { PluginRegistry, type NamedPlugin } from './plugin-registry.js';

/**
 * Plugin kinds and their types. Packages add kinds by declaration merging:
 * `declare module '@effnet/core' { interface PluginKinds { schedule: SchedulePlugin } }`.
 */
export interface PluginKinds {
  variant: VariantPlugin;
  block: BlockPlugin;
  scaling: ScalingRule;
}

/** A plugin kind. */
export type PluginKind = keyof PluginKinds & string;

const KIND_NOUNS: Record<string, string> = {
  variant: 'variant',
  block: 'block type',
  scaling: 'scaling rule',
  schedule: 'schedule',
  augmentation: 'augmentation',
  backend: 'backend',
};

const REGISTRY_KEY = Symbol.for('@effnet/core.registry.v1');

type Store = Map<string, PluginRegistry<NamedPlugin>>;

/** The one store of registries, shared on `globalThis` so that ESM and CJS copies see the same plugins. */
function store(): Store {
  const g = globalThis as unknown as Record<symbol, Store | undefined>;
  let s = g[REGISTRY_KEY];
  if (!s) {
    s = new Map();
    Object.defineProperty(globalThis, REGISTRY_KEY, { value: s, enumerable: false, configurable: false, writable: false });
  }
  return s;
}

/** The registry of one plugin kind (created on first use). */
export function getRegistry<K extends PluginKind>(kind: K): PluginRegistry<PluginKinds[K]>;
export function getRegistry<T extends NamedPlugin>(kind: string): PluginRegistry<T>;
export function getRegistry(kind: string): PluginRegistry<NamedPlugin> {
  const s = store();
  let r = s.get(kind);
  if (!r) {
    r = new PluginRegistry<NamedPlugin>(KIND_NOUNS[kind] ?? kind);
    s.set(kind, r);
  }
  return r;
}

/** Registers a model variant; throws if the name is taken. */
export function registerVariant(variant: VariantPlugin): VariantPlugin {
  return getRegistry('variant').register(variant);
}

/** Registers a block type; throws if the name is taken. */
export function registerBlock(block: BlockPlugin): BlockPlugin {
  return getRegistry('block').register(block);
}

/** Registers a scaling rule; throws if the name is taken. */
export function registerScalingRule(rule: ScalingRule): ScalingRule {
  return getRegistry('scaling').register(rule);
}

/** Variant names matching the wildcard patterns (all when none), e.g. `listVariants('efficientnetv2-*')`. */
export function listVariants(...patterns: string[]): string[] {
  return getRegistry('variant').list(...patterns).map((v) => v.name);
}
