import type { ArchitectureSpec, ResolveOptions, ScalingRule } from '@effnet/core';
import { resolveEfficientNetConfig } from './resolve-config.js';
import { EFFICIENTNET_RULE } from './rule-defaults.js';

/**
 * Resolves an EfficientNet (V1) config, the same fields as an `EfficientNetV2Config`, with the
 * rules of the EfficientNet paper's code: `round_filters` with the 0.9 guard (a rounding that
 * loses more than 10 % adds 8 channels), `round_repeats` with ceil, head `round_filters(1280)`,
 * BatchNorm momentum 0.99 and no cap on `resolution` scaling.
 */
export function resolveEfficientNet(value: unknown, options: ResolveOptions = {}): ArchitectureSpec {
  return resolveEfficientNetConfig(value, options, EFFICIENTNET_RULE);
}

/** The official EfficientNet (V1) scaling rule, registered as `efficientnet`. */
export const efficientNetRule: ScalingRule = {
  name: EFFICIENTNET_RULE,
  description: 'official EfficientNet (V1) rules: round_filters with the 0.9 guard, round_repeats with ceil, head round_filters(1280)',
  resolve: resolveEfficientNet,
};
