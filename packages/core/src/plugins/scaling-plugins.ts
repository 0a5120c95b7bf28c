import type { NamedPlugin } from '../registry/plugin-registry.js';
import type { ArchitectureSpec, Preprocessing } from '../spec/architecture.js';

/** Overrides applied when an architecture is resolved from a variant or config. */
export interface ResolveOptions {
  /** Classifier outputs (0: no classifier, the model returns pooled features). */
  numClasses?: number;
  /** Dropout before the classifier. */
  dropout?: number;
  /** Stochastic depth rate at the last block. */
  dropPathRate?: number;
  /** Input preprocessing to record with the model. */
  preprocessing?: Preprocessing;
  /** Name to give the resolved architecture. */
  name?: string;
  /** File the config came from, named in errors. */
  file?: string;
}

/**
 * Turns a variant's data (block strings, width, depth, sizes, ...) into a final
 * {@link ArchitectureSpec}. `@effnet/scaling` registers `efficientnetv2` (the official rules).
 */
export interface ScalingRule extends NamedPlugin {
  resolve(config: unknown, options?: ResolveOptions): ArchitectureSpec;
}

/** Published reference figures for a variant. */
export interface VariantReference {
  /** Parameters (trainable, 1000 classes) reported by the paper or the official code. */
  params?: number;
  /** FLOPs (multiply-accumulates) at `evalSize`. */
  flops?: number;
  /** ImageNet top-1 accuracy, percent. */
  top1?: number;
  /** Where the figures come from. */
  source?: string;
}

/** A named model variant: data that a {@link ScalingRule} resolves into an architecture. */
export interface VariantPlugin extends NamedPlugin {
  /** Name of the registered scaling rule that understands `config`. */
  scaling: string;
  /** The variant's definition, as that rule reads it. */
  config: Record<string, unknown>;
  /** Published figures, when the variant has them. */
  reference?: VariantReference;
}
