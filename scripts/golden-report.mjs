#!/usr/bin/env node
// Converts every golden timm case (../shared/golden and fixtures/golden, EfficientNetV2 and V1) with the built packages
// and prints how far our logits, features and stem outputs are from the reference:
// max |ours - reference| / max |reference|.  Usage: node scripts/golden-report.mjs
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { modelFromTimmCheckpoint } from '@effnet/scaling';
import { archLabel, npy, outputError, root } from './report-setup.mjs';

const cases = [
  ['dev-b0', join(root, '../shared/golden/dev-b0'), 'efficientnetv2-b0'],
  ['dev-tiny', join(root, '../shared/golden/dev-tiny'), { base: 'efficientnetv2-s', width: 0.5, depth: 0.5 }],
  ['dev-v1-b0', join(root, '../shared/golden/dev-v1-b0'), 'efficientnet-b0'],
  ...['b1w05-nonsquare', 'b3-shallow-odd', 'm-w035-d04', 'l-w025-d02', 's-w04-guard', 'v1-b1-nonsquare', 'v1-w06-d05-odd'].map((c) => {
    const dir = join(root, 'fixtures/golden', c);
    return [c, dir, JSON.parse(readFileSync(join(dir, 'arch.json'), 'utf8'))];
  }),
];
console.log('| case | architecture | input | logits | features | stem |');
console.log('|---|---|---|---|---|---|');
for (const [name, dir, arch] of cases) {
  if (!existsSync(dir)) {
    console.log(`| ${name} | missing: ${dir} | | | | |`);
    continue;
  }
  const { model, convention } = modelFromTimmCheckpoint(readFileSync(join(dir, 'weights.safetensors')), arch);
  const x = npy(dir, 'input.npy');
  const cols = ['logits', 'features', 'stem'].map((o) => outputError(model, x, dir, o));
  console.log(`| ${name} | ${archLabel(arch)}${convention === 'timm' ? " (timm's rounding)" : ''} | ${x.shape.join('x')} | ${cols.join(' | ')} |`);
  x.dispose();
  model.dispose();
}
