#!/usr/bin/env node
// `npm run bench`: installs the anchors (onnxruntime) into bench/node_modules on first use, then
// runs the backend benchmark. Arguments are passed on (e.g. --quick, --reps 5).
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
const r = spawnSync(process.execPath, [join(here, 'backends.mjs'), ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
