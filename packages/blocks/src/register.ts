import { getRegistry, type BlockPlugin } from '@effnet/core';
import { fusedMbconvBlock } from './fused-mbconv.js';
import { mbconvBlock } from './mbconv.js';

/** The built-in block types. */
export const builtinBlocks: readonly BlockPlugin[] = [mbconvBlock, fusedMbconvBlock];

/**
 * Registers `mbconv` and `fused_mbconv` in the core registry. Safe to call more than once;
 * throws if another plugin already took one of these names.
 */
export function registerBlocks(): void {
  const registry = getRegistry('block');
  for (const block of builtinBlocks) registry.ensure(block);
}
