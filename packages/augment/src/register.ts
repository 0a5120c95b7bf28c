import { getRegistry } from '@effnet/core';
import { labelSmoothing } from './mix/label-smoothing.js';
import { mixup } from './mix/mixup-cutmix.js';
import type { AnyAugmentation } from './plugin.js';
import { randAugment } from './randaugment/randaugment.js';

/** The built-in augmentations: `randaugment`, `mixup` (mixup and CutMix), `label-smoothing`. */
export const builtinAugmentations: readonly AnyAugmentation[] = [randAugment, mixup, labelSmoothing];

/**
 * Registers the built-in augmentations in the core registry. Safe to call more than once; throws
 * if another plugin already took one of these names.
 */
export function registerAugmentations(): void {
  const registry = getRegistry('augmentation');
  for (const plugin of builtinAugmentations) registry.ensure(plugin);
}
