import type { EffNetModel } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { maskValues } from '../random-masks.js';
import type { MaskInput } from './graph-ops.js';

/** Draws the random masks in the order the eager pass draws them, from the model's seeds. */
export function drawMasks(model: EffNetModel, masks: readonly MaskInput[], batch: number, dropout: number): tf.Tensor[] {
  return masks.map((m) => {
    const seed = model.random.nextSeed();
    const shape = [batch, ...m.placeholder.shape.slice(1)];
    return tf.tensor(m.kind === 'drop-path' ? maskValues('keep', m.rate, shape, seed) : maskValues('dropout', dropout, shape, seed), shape, 'float32');
  });
}
