import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { parseNpy } from '../io/npy.js';

/** A `.npy` file of a golden case as a tensor. */
export function readNpyTensor(dir: string, name: string): tf.Tensor {
  const a = parseNpy(readFileSync(path.join(dir, name)));
  return tf.tensor(a.data, a.shape);
}

/** Max |a - b| relative to max |b|: how far an output is from its reference. */
export function relativeError(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]! / tf.max(tf.abs(b)).dataSync()[0]!);
}
