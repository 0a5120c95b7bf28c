import type { BlockPlugin } from '../plugins/block-plugin.js';
import { getRegistry } from '../registry/global-registry.js';
import { TIMM_TF_PREPROCESSING, type ArchitectureSpec } from '../spec/architecture.js';

/** A small residual block (conv, BN, act, SE-like gate, residual) used by core's own tests. */
export const testBlock: BlockPlugin = {
  name: 'test_block',
  forward(ops, input, block) {
    let x = ops.conv2d('conv', input, { filters: block.outChannels, kernel: block.kernel, stride: block.stride });
    x = ops.batchNormActivate('bn', x);
    const gate = ops.sigmoid(ops.conv2d('gate', ops.spatialMean(x), { filters: block.outChannels, kernel: 1, bias: true }));
    x = ops.multiply(x, gate);
    if (block.stride === 1 && block.inChannels === block.outChannels) x = ops.add(ops.dropPath(x, block.survivalProb), input);
    return x;
  },
  timmLayerNames: () => ({ conv: 'conv', bn: 'bn1', gate: 'gate' }),
};

/** Registers {@link testBlock} once. */
export function registerTestBlock(): void {
  getRegistry('block').ensure(testBlock);
}

/** A two-stage network of {@link testBlock}s. */
export function tinySpec(overrides: Partial<ArchitectureSpec> = {}): ArchitectureSpec {
  return {
    name: 'tiny',
    stem: { channels: 8, kernel: 3, stride: 2 },
    stages: [
      { type: 'test_block', repeats: 2, kernel: 3, stride: 1, expandRatio: 1, inChannels: 8, outChannels: 8 },
      { type: 'test_block', repeats: 2, kernel: 3, stride: 2, expandRatio: 1, inChannels: 8, outChannels: 16 },
    ],
    headChannels: 32,
    numClasses: 5,
    dropout: 0.2,
    dropPathRate: 0.2,
    activation: 'silu',
    bnEpsilon: 1e-3,
    bnMomentum: 0.9,
    trainSize: 32,
    evalSize: 40,
    preprocessing: TIMM_TF_PREPROCESSING,
    ...overrides,
  };
}
