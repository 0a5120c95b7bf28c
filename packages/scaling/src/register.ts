import { getRegistry } from '@effnet/core';
import { efficientNetV2Rule } from './efficientnetv2-rule.js';
import { efficientNetV2Variants } from './variants.js';

/**
 * Registers the `efficientnetv2` scaling rule and the variants B0-B3, S, M, L, XL. Safe to call
 * more than once.
 */
export function registerVariants(): void {
  getRegistry('scaling').ensure(efficientNetV2Rule);
  const variants = getRegistry('variant');
  for (const v of efficientNetV2Variants) variants.ensure(v);
}
