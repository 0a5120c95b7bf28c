import { registerBlocks } from '@effnet/blocks';
import { registerVariants } from '@effnet/scaling';

/** Registers the built-in block types, scaling rule and variants (idempotent). */
export function registerBuiltins(): void {
  registerBlocks();
  registerVariants();
}
