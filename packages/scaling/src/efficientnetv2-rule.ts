import type { ArchitectureSpec, ResolveOptions, ScalingRule } from '@effnet/core';
import { resolveEfficientNetConfig } from './resolve-config.js';
import { EFFICIENTNETV2_RULE } from './rule-defaults.js';

export { EFFICIENTNETV2_DEFAULTS } from './rule-defaults.js';

/**
 * Resolves an `EfficientNetV2Config` with the official rules: every block string's
 * channels go through `round_filters` (no guard), repeats through `round_repeats` (ceil), the
 * stem is `round_filters(first input)` and the head `round_filters(1280)`. A config based on an
 * EfficientNet (V1) variant keeps V1's rules (see {@link resolveEfficientNetConfig}).
 */
export function resolveEfficientNetV2(value: unknown, options: ResolveOptions = {}): ArchitectureSpec {
  return resolveEfficientNetConfig(value, options, EFFICIENTNETV2_RULE);
}

/** The official EfficientNetV2 scaling rule, registered as `efficientnetv2`. */
export const efficientNetV2Rule: ScalingRule = {
  name: EFFICIENTNETV2_RULE,
  description: 'official EfficientNetV2 rules: round_filters without guard, round_repeats with ceil, head round_filters(1280)',
  resolve: resolveEfficientNetV2,
};
