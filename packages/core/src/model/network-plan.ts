import { EffnetError } from '../errors.js';
import type { BlockPlugin } from '../plugins/block-plugin.js';
import { getRegistry } from '../registry/global-registry.js';
import type { ArchitectureSpec, BlockSpec } from '../spec/architecture.js';
import type { HeadOps } from './layer-ops.js';

/** An architecture expanded into block instances, each with its registered plugin. */
export interface NetworkPlan {
  spec: ArchitectureSpec;
  blocks: BlockSpec[];
  plugins: BlockPlugin[];
}

/** Which tensor a forward pass returns. */
export type NetworkOutput = 'stem' | 'features' | 'logits';

/**
 * Checks that every stage's block type is registered, with an error naming `file` and the stage
 * (`stages[2].type`), before anything is built. Leaves an empty registry to {@link planNetwork},
 * whose error says how to register the built-in blocks.
 */
export function checkBlockTypes(spec: ArchitectureSpec, file?: string): void {
  const registry = getRegistry('block');
  if (registry.names().length === 0) return;
  spec.stages.forEach((stage, s) => {
    if (registry.find(stage.type)) return;
    try {
      registry.get(stage.type);
    } catch (e) {
      throw new EffnetError('UNKNOWN_BLOCK', (e as Error).message, { ...(file ? { file } : {}), field: `stages[${s}].type` });
    }
  });
}

/**
 * Expands stages into blocks: the first block of a stage takes the stride and the channel
 * change, the others have stride 1 and in = out; block i of N survives stochastic depth with
 * probability `1 - dropPathRate * i / N`.
 */
export function planNetwork(spec: ArchitectureSpec): NetworkPlan {
  const registry = getRegistry('block');
  const total = spec.stages.reduce((n, s) => n + s.repeats, 0);
  const blocks: BlockSpec[] = [];
  const plugins: BlockPlugin[] = [];
  let globalIndex = 0;
  spec.stages.forEach((stage, s) => {
    let plugin: BlockPlugin;
    try {
      plugin = registry.get(stage.type);
    } catch (e) {
      const hint = registry.names().length === 0 ? ' (import { registerBlocks } from "@effnet/blocks" and call it first)' : '';
      throw new EffnetError('UNKNOWN_BLOCK', `stages[${s}].type: ${(e as Error).message}${hint}`);
    }
    plugin.validateStage?.(stage, `stages[${s}]`);
    for (let i = 0; i < stage.repeats; i++) {
      blocks.push({
        type: stage.type,
        stage: s,
        index: i,
        globalIndex,
        totalBlocks: total,
        kernel: stage.kernel,
        stride: i === 0 ? stage.stride : 1,
        expandRatio: stage.expandRatio,
        inChannels: i === 0 ? stage.inChannels : stage.outChannels,
        outChannels: stage.outChannels,
        seRatio: stage.seRatio ?? 0,
        survivalProb: 1 - (spec.dropPathRate * globalIndex) / total,
        options: stage.options ?? {},
      });
      plugins.push(plugin);
      globalIndex++;
    }
  });
  return { spec, blocks, plugins };
}

/** Weight-name prefix of a block. */
export function blockScope(block: Pick<BlockSpec, 'stage' | 'index'>): string {
  return `blocks/${block.stage}/${block.index}`;
}

/**
 * The whole network, generic over the value type: stem (conv, BatchNorm, activation), the blocks,
 * the head (1x1 conv, BatchNorm, activation), global average pooling, dropout and the classifier.
 */
export function runNetwork<T>(
  ops: HeadOps<T>,
  input: T,
  plan: NetworkPlan,
  output: NetworkOutput = 'logits',
  onBlock?: (block: BlockSpec, output: T) => void,
): T {
  const { spec } = plan;
  const stem = ops.scope('stem');
  let x = stem.conv2d('conv', input, { filters: spec.stem.channels, kernel: spec.stem.kernel, stride: spec.stem.stride });
  x = stem.batchNormActivate('bn', x);
  if (output === 'stem') return x;
  for (let i = 0; i < plan.blocks.length; i++) {
    const block = plan.blocks[i]!;
    const blockInput = x;
    const run = () => plan.plugins[i]!.forward(ops.scope(blockScope(block)), blockInput, block);
    x = ops.block ? ops.block(run) : run();
    onBlock?.(block, x);
  }
  const head = ops.scope('head');
  x = head.conv2d('conv', x, { filters: spec.headChannels, kernel: 1 });
  x = head.batchNormActivate('bn', x);
  x = ops.globalPool(x);
  if (output === 'features' || spec.numClasses === 0) return x;
  x = ops.dropout(x, spec.dropout);
  return ops.dense('classifier', x, spec.numClasses);
}
