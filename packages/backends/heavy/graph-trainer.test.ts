// Heavy suite: the trainer on tfjs-node with whole-graph passes against the same run op by op
// (two stages of rising size and dropout, mixup and CutMix, micro-batches, EMA). Skips, saying
// why, when tfjs-node is not built here.
import { Trainer, validateSchedule } from '@effnet/progressive';
import type { EffNetModel } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { cornerDataset, tinyModel } from '../../progressive/src/test-support/tiny.js';
import { useBackend } from '../src/use-backend.js';
import { tfjsNodeMissing } from './tfjs-node-missing.js';

const missing = tfjsNodeMissing();

const schedule = validateSchedule({
  name: 'graph-vs-eager',
  stages: [
    { endEpoch: 2, imageSize: 12, dropout: 0.1, randAugmentMagnitude: 0 },
    { endEpoch: 4, imageSize: 16, dropout: 0.2, randAugmentMagnitude: 0, mixupAlpha: 0.2, cutmixAlpha: 0.2 },
  ],
  evalSize: 16,
});

async function run(engine: 'eager' | 'graph'): Promise<{ model: EffNetModel; losses: number[]; tensors: number[]; accuracy: number }> {
  const model = tinyModel(3, 7);
  const data = cornerDataset(32);
  const losses: number[] = [];
  const tensors: number[] = [];
  const trainer = new Trainer({
    model, train: data, eval: cornerDataset(12, 3, 12, 9), schedule, batchSize: 8, microBatchSize: 4, engine, dropPathRate: 0.2,
    learningRate: { base: 0.02, warmupEpochs: 0.5, decay: 'cosine' }, ema: 0.9,
    onEvent: (e) => {
      if (e.type !== 'step') return;
      losses.push(e.loss);
      tensors.push(tf.memory().numTensors);
    },
  });
  const r = await trainer.fit();
  trainer.dispose();
  data.dispose();
  return { model, losses, tensors, accuracy: r.evaluation!.accuracy };
}

describe.skipIf(!!missing)(`the trainer on TensorFlow graphs${missing ? ` (skipped: ${missing})` : ''}`, () => {
  beforeAll(async () => {
    await useBackend('tfjs-node');
  });

  it('trains as the op-by-op run does: same losses and weights, no tensor growth', async () => {
    const eager = await run('eager');
    const graph = await run('graph');
    expect(graph.losses).toHaveLength(16);
    graph.losses.forEach((l, i) => expect(Math.abs(l - eager.losses[i]!)).toBeLessThan(1e-3 * Math.max(1, Math.abs(eager.losses[i]!))));
    for (const [name, v] of eager.model.weights) {
      const a = v.dataSync();
      const b = graph.model.weights.get(name)!.dataSync();
      let scale = 1e-2;
      let worst = 0;
      for (let i = 0; i < a.length; i++) {
        scale = Math.max(scale, Math.abs(a[i]!));
        worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
      }
      expect(worst / scale, name).toBeLessThan(1e-3);
    }
    expect(graph.accuracy).toBeCloseTo(eager.accuracy, 5);
    // Tensors alive at each step, relative to the first: never growing, and as in the op-by-op run.
    const relative = (counts: number[]) => counts.map((n) => n - counts[0]!);
    expect(relative(graph.tensors)).toEqual(relative(eager.tensors));
    expect(graph.tensors.every((n, i) => i === 0 || n <= graph.tensors[i - 1]!)).toBe(true);
    eager.model.dispose();
    graph.model.dispose();
  }, 300_000);
});
