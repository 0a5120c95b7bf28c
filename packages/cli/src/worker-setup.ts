/**
 * Set-up of the data-parallel gradient workers that `effnet train --workers` starts: registers the
 * built-in blocks and variants and starts the same TF.js backend as the main thread.
 */
import { registerBlocks } from '@effnet/blocks';
import { registerVariants } from '@effnet/scaling';
import { useBackend } from './backend.js';

/** Called by each worker with the main thread's backend name. */
export default async function setupGradientWorker(backend: unknown): Promise<void> {
  registerBlocks();
  registerVariants();
  await useBackend(typeof backend === 'string' ? backend : 'auto');
}
