#!/usr/bin/env node
// Prepares the heavy suite's tfjs-node: makes sure Python has TensorFlow 2.21 (installing
// tensorflow-cpu with pip under CI), then builds @tensorflow/tfjs-node against it into this
// repository's node_modules (not saved to package.json). Outside CI it never fails the run: when
// something is missing it says why and the tfjs-node tests skip. Under CI=true a missing
// TensorFlow or a failed build fails the run (nothing skips in CI).
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const python = process.env.EFFNET_PYTHON ?? 'python3';
const hasTf = () => spawnSync(python, ['-c', 'import tensorflow'], { stdio: 'ignore' }).status === 0;
if (!hasTf() && process.env.CI) {
  console.error('> installing tensorflow-cpu==2.21.0 with pip (heavy suite)');
  spawnSync(python, ['-m', 'pip', 'install', '-q', 'tensorflow-cpu==2.21.0'], { stdio: 'inherit' });
}
if (!hasTf()) {
  console.error(`heavy suite: ${python} has no TensorFlow (pip install tensorflow-cpu==2.21.0): ${process.env.CI ? 'CI cannot run the tfjs-node tests' : 'the tfjs-node tests will skip'}`);
  process.exit(process.env.CI ? 1 : 0);
}
try {
  execFileSync(process.execPath, [join(root, 'packages/cli/dist/bin.js'), 'backend', 'setup', 'tfjs-node', '--from-python', '--python', python, '--prefix', root, '--no-save'], { stdio: 'inherit' });
} catch {
  console.error(`heavy suite: building tfjs-node failed (see above): ${process.env.CI ? 'CI cannot run the tfjs-node tests' : 'the tfjs-node tests will skip'}`);
  if (process.env.CI) process.exit(1);
}
