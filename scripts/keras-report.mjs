#!/usr/bin/env node
// Converts every Keras case (../shared/golden/dev-keras-b0 and fixtures/keras/*) with the built
// packages and prints, per weights file, how far our logits and features are from Keras':
// max |ours - Keras| / max |Keras|, and the time to read and load the file.
// Usage: node scripts/keras-report.mjs
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { parseNpy } from '@effnet/core';
import { registerBlocks } from '@effnet/blocks';
import { modelFromKerasWeights, registerVariants } from '@effnet/scaling';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
registerBlocks();
registerVariants();
tf.enableProdMode();
await tf.setBackend('cpu');

const cases = [['dev-keras-b0', join(root, '../shared/golden/dev-keras-b0'), 'efficientnetv2-b0']];
for (const name of readdirSync(join(root, 'fixtures/keras')).sort()) {
  const dir = join(root, 'fixtures/keras', name);
  if (existsSync(join(dir, 'arch.json'))) cases.push([name, dir, JSON.parse(readFileSync(join(dir, 'arch.json'), 'utf8'))]);
}
const npy = (dir, f) => {
  const a = parseNpy(readFileSync(join(dir, f)));
  return tf.tensor(a.data, a.shape);
};
const rel = (a, b) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] / tf.max(tf.abs(b)).dataSync()[0]);
console.log('| case | file | architecture | input | logits | features | load ms |');
console.log('|---|---|---|---|---|---|---:|');
for (const [name, dir, arch] of cases) {
  if (!existsSync(dir)) {
    console.log(`| ${name} | missing: ${dir} | | | | | |`);
    continue;
  }
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.h5')).sort()) {
    const hasLogits = existsSync(join(dir, 'logits.npy'));
    const t0 = performance.now();
    const { model } = modelFromKerasWeights(readFileSync(join(dir, file)), arch, hasLogits ? {} : { numClasses: 3 });
    const ms = performance.now() - t0;
    const x = npy(dir, 'input.npy');
    const cols = ['logits', 'features'].map((o) => {
      if (o === 'logits' && !hasLogits) return 'no top (new head)';
      const want = npy(dir, `${o}.npy`);
      const got = tf.tidy(() => model.apply(x, { output: o }));
      const r = rel(got, want);
      tf.dispose([want, got]);
      return r.toExponential(1);
    });
    const archText = typeof arch === 'string' ? arch : JSON.stringify(arch).replace(/"/g, '');
    console.log(`| ${name} | ${file} | ${archText} | ${x.shape.join('x')} | ${cols.join(' | ')} | ${ms.toFixed(0)} |`);
    x.dispose();
    model.dispose();
  }
}
