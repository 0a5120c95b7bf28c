#!/usr/bin/env node
// The progressive-learning experiment: the main job's model and epochs trained twice, with the
// progressive schedule (image size and regularisation rising by stage) and at the final size only,
// in one run. Prints wall time and test accuracy of each and their ratios. Options after `--` go
// to both runs (see `npm start -- --help`); by default both train on the first 20,000 training
// images (a third of Fashion-MNIST, to keep the pair of runs short) and test on all 10,000.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'packages/cli/dist/bin.js');
const args = process.argv.slice(2);
const withDefault = (flag, value) => (args.includes(flag) ? [] : [flag, value]);
const common = [...withDefault('--limit', '20000'), ...args];

function run(label, extra) {
  console.error(`> ${label}: effnet fashion-mnist ${[...common, ...extra].join(' ')}`);
  const out = execFileSync(process.execPath, [bin, 'fashion-mnist', '--json', '--predictions', '0', ...common, ...extra], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(out.toString());
}

const progressive = run('progressive', ['--out', 'out/experiment/progressive']);
const fixed = run('fixed size', ['--fixed', '--out', 'out/experiment/fixed']);
const row = (name, r) => `| ${name} | ${r.trainSeconds.toFixed(1)} | ${(100 * r.testAccuracy).toFixed(2)} % | ${r.steps} |`;
console.log(`backend: ${progressive.backend}; options: ${common.join(' ') || '(defaults)'}`);
console.log('| schedule | training wall time (s) | test accuracy | steps |');
console.log('|---|---:|---:|---:|');
console.log(row('progressive', progressive));
console.log(row('fixed size', fixed));
console.log(`speed-up (fixed time / progressive time): ${(fixed.trainSeconds / progressive.trainSeconds).toFixed(2)}x`);
console.log(`accuracy difference (progressive - fixed): ${(100 * (progressive.testAccuracy - fixed.testAccuracy)).toFixed(2)} points`);
