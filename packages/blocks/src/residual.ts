import type { BlockSpec, LayerOps } from '@effnet/core';

/** True when a block adds its input back: stride 1 and as many output as input channels. */
export function hasResidual(block: Pick<BlockSpec, 'stride' | 'inChannels' | 'outChannels'>): boolean {
  return block.stride === 1 && block.inChannels === block.outChannels;
}

/**
 * Closes a block: with a residual, applies stochastic depth to the branch (per sample, training
 * only, survival probability from the block) and adds the input; otherwise returns the branch.
 */
export function closeResidual<T>(ops: LayerOps<T>, branch: T, input: T, block: BlockSpec): T {
  if (!hasResidual(block)) return branch;
  return ops.add(ops.dropPath(branch, block.survivalProb), input);
}
