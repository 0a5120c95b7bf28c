import { loadModel, type EffNetModel } from '@effnet/core';
import { pullVariant, type PullOptions } from './pull-variant.js';

/**
 * A ready model from a published variant: `await loadVariant('@my-org/flowers-b0@^1')`. Finds
 * the package as {@link pullVariant} does (imported, `node_modules`, cache, registry) and loads
 * its weights. Block types the model uses must be registered (`registerBlocks()`), and a TF.js
 * backend must be set.
 */
export async function loadVariant(spec: string, options: PullOptions = {}): Promise<EffNetModel> {
  const pulled = await pullVariant(spec, options);
  return loadModel(pulled.dir);
}
