// Heavy suite: the trainer on tfjs-node with whole-graph passes against the same run op by op
// (two stages of rising size and dropout, mixup and CutMix, micro-batches, EMA). Skips, saying
// why, when tfjs-node is not built here.
import { beforeAll, describe, expect, it } from 'vitest';
import { expectSameTraining, trainTiny } from '../src/test-support/engine-trainer-run.js';
import { useBackend } from '../src/use-backend.js';
import { tfjsNodeMissing } from './tfjs-node-missing.js';

const missing = tfjsNodeMissing();

describe.skipIf(!!missing)(`the trainer on TensorFlow graphs${missing ? ` (skipped: ${missing})` : ''}`, () => {
  beforeAll(async () => {
    await useBackend('tfjs-node');
  });

  it('trains as the op-by-op run does: same losses and weights, no tensor growth', async () => {
    const eager = await trainTiny('eager');
    const graph = await trainTiny('graph');
    expect(graph.stateInEngine).toBe(false);
    expectSameTraining(eager, graph);
    // Tensors alive at each step never grow.
    expect(graph.tensors.every((n, i) => i === 0 || n <= graph.tensors[i - 1]!)).toBe(true);
    eager.model.dispose();
    graph.model.dispose();
  }, 300_000);

  it('keeps the state in TensorFlow between steps and trains as the op-by-op run does', async () => {
    const eager = await trainTiny('eager', { wholeBatches: true });
    const resident = await trainTiny('graph', { wholeBatches: true });
    expect(resident.stateInEngine).toBe(true);
    expectSameTraining(eager, resident);
    eager.model.dispose();
    resident.model.dispose();
  }, 300_000);
});
