#!/usr/bin/env node
// Installs dependencies when they are missing or older than package-lock.json, then builds every
// package (nx caches builds, so an up-to-date tree costs a second). Runs before `npm start` and
// `npm test` so that both work on a fresh clone with nothing installed by hand.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sh = (cmd) => execSync(cmd, { cwd: root, stdio: 'inherit', env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' } });

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`effnet needs Node.js >= 20.19 (this is ${process.versions.node})`);
  process.exit(1);
}

const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules/.package-lock.json');
const stale = !existsSync(installed) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(installed).mtimeMs + 1000);
if (stale) {
  console.error('> installing dependencies (npm ci)');
  sh(existsSync(lock) ? 'npm ci --no-audit --no-fund' : 'npm install --no-audit --no-fund');
}
if (process.env.EFFNET_SKIP_BUILD !== '1') {
  sh('npx nx run-many -t build --output-style=static');
}
