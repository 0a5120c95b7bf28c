import type { EffNetModel } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';
import type { MaskInput } from './graph-ops.js';

/** Draws the random masks in the order the eager pass draws them, from the model's seeds. */
export function drawMasks(model: EffNetModel, masks: readonly MaskInput[], batch: number, dropout: number): tf.Tensor[] {
  return masks.map((m) =>
    tf.tidy(() => {
      const seed = model.random.nextSeed();
      const shape = [batch, ...m.placeholder.shape.slice(1)];
      if (m.kind === 'drop-path') return tf.floor(tf.add(m.rate, tf.randomUniform(shape, 0, 1, 'float32', seed)));
      return tf.dropout(tf.ones(shape), dropout, undefined, seed);
    }),
  );
}
