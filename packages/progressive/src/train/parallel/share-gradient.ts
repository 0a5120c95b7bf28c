import type { ComputeEngine, EffNetModel } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';
import type { FlatParameters } from '../flat-parameters.js';

/** How to compute one share of a batch. */
export interface ShareSettings {
  /** Images in the whole optimizer step (the share's gradient is weighted by its part of it). */
  batchSize: number;
  /** Largest forward/backward pass; the share is cut into micro-batches of this size. */
  microBatchSize: number;
  dropout: number;
  dropPathRate: number;
  /** How each pass runs (default `auto`: one compiled graph on tfjs-node, eager elsewhere). */
  engine?: ComputeEngine;
}

/** The gradient of a share, weighted by its part of the batch, with its loss and correct count. */
export interface ShareGradient {
  /** Sum over micro-batches of (micro-batch size / batch size) x flat gradient. */
  gradient: tf.Tensor1D;
  /** Weighted loss, on the same scale. */
  loss: tf.Scalar;
  /** Examples whose arg-max prediction is the arg-max label. */
  correct: tf.Scalar;
  /** Forward passes in training mode (each moved the BatchNorm statistics once). */
  updates: number;
}

/**
 * Forward and backward passes over already augmented, preprocessed images `x` ([n, h, w, 3])
 * with soft labels `y` ([n, classes]), in micro-batches; used by the main thread and by
 * data-parallel workers alike, so both compute the same way.
 */
export function shareGradient(model: EffNetModel, flat: FlatParameters, x: tf.Tensor4D, y: tf.Tensor2D, s: ShareSettings): ShareGradient {
  const n = x.shape[0];
  const [, h, w, c] = x.shape;
  let gradient: tf.Tensor1D | undefined;
  let loss: tf.Scalar = tf.scalar(0);
  let correct: tf.Scalar = tf.scalar(0);
  let updates = 0;
  for (let start = 0; start < n; start += s.microBatchSize) {
    const m = Math.min(s.microBatchSize, n - start);
    const xs = m === n ? x : tf.slice(x, [start, 0, 0, 0], [m, h, w, c]);
    const ys = m === n ? y : tf.slice(y, [start, 0], [m, y.shape[1]]);
    const { loss: value, logits, grads } = model.trainingPass(xs, ys, { dropout: s.dropout, dropPathRate: s.dropPathRate, engine: s.engine ?? 'auto' });
    const predicted = tf.argMax(logits, 1);
    logits.dispose();
    const weight = m / s.batchSize;
    const g = tf.mul(flat.flatten(flat.variables.map((v) => grads[v.name]!)), weight) as tf.Tensor1D;
    gradient = gradient ? (tf.add(gradient, g) as tf.Tensor1D) : g;
    loss = tf.add(loss, tf.mul(value, weight));
    correct = tf.add(correct, tf.sum(tf.cast(tf.equal(predicted, tf.argMax(ys, 1)), 'float32')));
    predicted.dispose();
    updates++;
  }
  return { gradient: gradient!, loss, correct, updates };
}

/**
 * BatchNorm moving statistics after the shares' updates in share order, from each replica's own
 * result. Every replica started from `start`; replica k ran `updates[k]` updates
 * (moving = m * moving + (1 - m) * batch), so its own contribution is
 * `after[k] - m^updates[k] * start`, and in sequence the earlier contributions decay by m per later update.
 */
export function combineStatistics(start: tf.Tensor1D, after: tf.Tensor1D[], updates: number[], momentum: number): tf.Tensor1D {
  return tf.tidy(() => {
    const total = updates.reduce((a, b) => a + b, 0);
    let result = tf.mul(start, momentum ** total);
    let later = total;
    after.forEach((a, k) => {
      later -= updates[k]!;
      const own = tf.sub(a, tf.mul(start, momentum ** updates[k]!));
      result = tf.add(result, tf.mul(own, momentum ** later));
    });
    return result as tf.Tensor1D;
  });
}
