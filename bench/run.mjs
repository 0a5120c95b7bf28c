#!/usr/bin/env node
// `npm run bench`: installs the anchors (onnxruntime) into bench/node_modules on first use, then
// runs the main job's training benchmark (main-job-training.mjs: every engine and PyTorch on the
// main job's model at 16-28 px) and the backend benchmark (backends.mjs). Arguments are passed on
// (e.g. --quick, --reps 5, --rounds 3, --json, --require-anchors); `--only training` or
// `--only backends` runs one section.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
if (!existsSync(join(here, 'node_modules/onnxruntime-web'))) {
  try {
    execSync('npm install --no-audit --no-fund --ignore-scripts', { cwd: here, stdio: 'inherit' });
  } catch {
    console.error('could not install the onnxruntime anchors; running without them');
  }
}
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const passed = args.filter((a, i) => a !== '--only' && args[i - 1] !== '--only');
let status = 0;
for (const [section, script] of [['training', 'main-job-training.mjs'], ['backends', 'backends.mjs']]) {
  if (only && only !== section) continue;
  const r = spawnSync(process.execPath, [join(here, script), ...passed], { stdio: 'inherit' });
  status ||= r.status ?? 1;
}
process.exit(status);
