import { getRegistry } from '@effnet/core';
import { efficientNetRule } from './efficientnet-rule.js';
import { efficientNetVariants } from './efficientnet-variants.js';
import { efficientNetV2Rule } from './efficientnetv2-rule.js';
import { efficientNetV2Variants } from './variants.js';

/**
 * Registers the `efficientnetv2` and `efficientnet` scaling rules, the EfficientNetV2 variants
 * B0-B3, S, M, L, XL and the EfficientNet (V1) variants B0-B7. Safe to call more than once.
 */
export function registerVariants(): void {
  const rules = getRegistry('scaling');
  rules.ensure(efficientNetV2Rule);
  rules.ensure(efficientNetRule);
  const variants = getRegistry('variant');
  for (const v of [...efficientNetV2Variants, ...efficientNetVariants]) variants.ensure(v);
}
