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

// System packages the tests use: Debian's Chromium (browser test), Mesa's EGL/GLES (WebGPU in
// Node through Dawn) and clang/lld 14 with binaryen (the kernels' reproducible-build test). Installed with apt
// when missing and running as root (as CI does).
const systemPackages = [
  ['/usr/bin/chromium', 'chromium'],
  ['/usr/lib/x86_64-linux-gnu/libEGL_mesa.so.0', 'libegl-mesa0'],
  ['/usr/lib/x86_64-linux-gnu/libGLESv2.so.2', 'libgles2'],
  ['/usr/lib/x86_64-linux-gnu/dri/swrast_dri.so', 'libgl1-mesa-dri'],
  // clang and lld 14 (wasm32 target): the test that rebuilds the compiled engine's kernels.
  ['/usr/bin/clang-14', 'clang-14'],
  ['/usr/bin/wasm-ld-14', 'lld-14'],
  // binaryen: clang runs its wasm-opt on the kernels it links, so the build depends on it.
  ['/usr/bin/wasm-opt', 'binaryen'],
];
const missingSystem = systemPackages.filter(([file]) => !existsSync(file)).map(([, pkg]) => pkg);
if (missingSystem.length && process.platform === 'linux' && process.getuid?.() === 0 && process.env.EFFNET_SKIP_APT !== '1') {
  console.error(`> installing ${missingSystem.join(' ')} (apt)`);
  try {
    sh('apt-get update -qq');
    sh(`DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${missingSystem.join(' ')}`);
  } catch {
    console.error(`could not install ${missingSystem.join(' ')}; the tests that need them will say so`);
  }
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
