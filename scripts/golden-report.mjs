#!/usr/bin/env node
// Converts every golden timm case (../shared/golden and fixtures/golden) with the built packages
// and prints how far our logits, features and stem outputs are from the reference:
// max |ours - reference| / max |reference|.  Usage: node scripts/golden-report.mjs
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { parseNpy } from '@effnet/core';
import { registerBlocks } from '@effnet/blocks';
import { modelFromTimmCheckpoint, registerVariants } from '@effnet/scaling';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
registerBlocks();
registerVariants();
tf.enableProdMode();
await tf.setBackend('cpu');

const cases = [
  ['dev-b0', join(root, '../shared/golden/dev-b0'), 'efficientnetv2-b0'],
  ['dev-tiny', join(root, '../shared/golden/dev-tiny'), { base: 'efficientnetv2-s', width: 0.5, depth: 0.5 }],
  ...['b1w05-nonsquare', 'b3-shallow-odd', 'm-w035-d04', 'l-w025-d02', 's-w04-guard'].map((c) => {
    const dir = join(root, 'fixtures/golden', c);
    return [c, dir, JSON.parse(readFileSync(join(dir, 'arch.json'), 'utf8'))];
  }),
];
const npy = (dir, f) => {
  const a = parseNpy(readFileSync(join(dir, f)));
  return tf.tensor(a.data, a.shape);
};
const rel = (a, b) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] / tf.max(tf.abs(b)).dataSync()[0]);
console.log('| case | architecture | input | logits | features | stem |');
console.log('|---|---|---|---|---|---|');
for (const [name, dir, arch] of cases) {
  if (!existsSync(dir)) {
    console.log(`| ${name} | missing: ${dir} | | | | |`);
    continue;
  }
  const { model, convention } = modelFromTimmCheckpoint(readFileSync(join(dir, 'weights.safetensors')), arch);
  const x = npy(dir, 'input.npy');
  const cols = ['logits', 'features', 'stem'].map((o) => {
    const want = npy(dir, `${o}.npy`);
    const got = tf.tidy(() => model.apply(x, { output: o }));
    const r = rel(got, want);
    tf.dispose([want, got]);
    return r.toExponential(1);
  });
  const archText = typeof arch === 'string' ? arch : JSON.stringify(arch).replace(/"/g, '');
  console.log(`| ${name} | ${archText}${convention === 'timm' ? " (timm's rounding)" : ''} | ${x.shape.join('x')} | ${cols.join(' | ')} |`);
  x.dispose();
  model.dispose();
}
