// Shared start of the report scripts: the cpu backend, the built-in blocks and variants, and
// helpers to read golden `.npy` files and compare outputs.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { parseNpy } from '@effnet/core';
import { registerBlocks } from '@effnet/blocks';
import { registerVariants } from '@effnet/scaling';

/** The repository root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
registerBlocks();
registerVariants();
tf.enableProdMode();
await tf.setBackend('cpu');

/** A `.npy` file as a tensor. */
export const npy = (dir, f) => {
  const a = parseNpy(readFileSync(join(dir, f)));
  return tf.tensor(a.data, a.shape);
};

/** max |a - b| / max |b|. */
export const rel = (a, b) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] / tf.max(tf.abs(b)).dataSync()[0]);

/** `rel` of `model`'s `output` on `x` against `<dir>/<output>.npy`, formatted like 1.2e-6. */
export function outputError(model, x, dir, output) {
  const want = npy(dir, `${output}.npy`);
  const got = tf.tidy(() => model.apply(x, { output }));
  const r = rel(got, want);
  tf.dispose([want, got]);
  return r.toExponential(1);
}

/** An architecture for a table cell: a variant name, or compact JSON. */
export const archLabel = (arch) => (typeof arch === 'string' ? arch : JSON.stringify(arch).replace(/"/g, ''));
