#!/usr/bin/env node
// Converts every Keras case (../shared/golden/dev-keras-b0 and fixtures/keras/*) with the built
// packages and prints, per weights file, how far our logits and features are from Keras':
// max |ours - Keras| / max |Keras|, and the time to read and load the file.
// Usage: node scripts/keras-report.mjs
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { modelFromKerasWeights } from '@effnet/scaling';
import { archLabel, npy, outputError, root } from './report-setup.mjs';

const cases = [['dev-keras-b0', join(root, '../shared/golden/dev-keras-b0'), 'efficientnetv2-b0']];
for (const name of readdirSync(join(root, 'fixtures/keras')).sort()) {
  const dir = join(root, 'fixtures/keras', name);
  if (existsSync(join(dir, 'arch.json'))) cases.push([name, dir, JSON.parse(readFileSync(join(dir, 'arch.json'), 'utf8'))]);
}
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
    const cols = ['logits', 'features'].map((o) => (o === 'logits' && !hasLogits ? 'no top (new head)' : outputError(model, x, dir, o)));
    console.log(`| ${name} | ${file} | ${archLabel(arch)} | ${x.shape.join('x')} | ${cols.join(' | ')} | ${ms.toFixed(0)} |`);
    x.dispose();
    model.dispose();
  }
}
