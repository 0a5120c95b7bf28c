#!/usr/bin/env node
// Disk full and read-only outputs: every command that writes runs with its output on a tmpfs
// filled to the last byte, and on a read-only mount. Each must end with exit 1 and one line
// `effnet: <path on that mount>: ...` saying why (no stack trace), and leave the mount as it
// found it: no partial or temporary files, and a model that a replacing write could not finish
// still there, byte for byte.
//
//   node scripts/faults/disk-full.mjs [--json]
//
// Mounting needs root (CI runs as root). Prints a table (command, disk full, read-only) and
// exits 1 on any failure.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalRegistry } from '../local-registry.mjs';
import { writeTinyRun } from './tiny-run.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(root, 'packages/cli/dist/bin.js');
const fail = (message) => {
  console.error(`disk-full: ${message}`);
  process.exit(1);
};
if (!existsSync(BIN)) fail(`${BIN} is missing; run npm run build first`);
if (process.getuid?.() !== 0) fail('mounting a small tmpfs needs root (run as root, as CI does)');

function effnet(args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function must(args, env) {
  const r = await effnet(args, env);
  if (r.code !== 0) fail(`setup: effnet ${args.join(' ')}: exit ${r.code}: ${r.stderr.trim().split('\n').pop()}`);
  return r;
}

/** Every file under `dir` with its bytes (hidden files included), to compare before and after. */
async function snapshot(dir) {
  const out = {};
  for (const entry of (await readdir(dir, { recursive: true })).sort()) {
    const p = path.join(dir, entry);
    const s = await stat(p);
    out[entry] = s.isDirectory() ? 'folder' : (await readFile(p)).toString('base64');
  }
  return out;
}

const work = await mkdtemp(path.join(tmpdir(), 'effnet-disk-full-'));
const mount = path.join(work, 'mount');
await mkdir(mount);
const mounted = () => execFileSync('findmnt', ['-n', mount], { encoding: 'utf8' }).trim() !== '';
const unmount = () => {
  try {
    if (mounted()) execFileSync('umount', [mount]);
  } catch {
    /* not mounted */
  }
};

/** A fresh 2 MiB tmpfs at `mount` holding `before(mount)`, then filled to the last byte or made read-only. */
async function prepare(kind, before) {
  unmount();
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mount], { stdio: 'pipe' });
  } catch (e) {
    fail(`cannot mount a tmpfs at ${mount}: ${String(e.stderr ?? e.message).trim()}`);
  }
  if (before) await before(mount);
  if (kind === 'full') {
    const { bavail, bsize } = await statfs(mount);
    await writeFile(path.join(mount, 'filler'), Buffer.alloc(Number(bavail) * Number(bsize)));
    // tmpfs may still hand out a page: top up until a write fails.
    for (let i = 0; i < 64; i++) {
      try {
        await writeFile(path.join(mount, `filler-${i}`), Buffer.alloc(4096));
      } catch {
        break;
      }
    }
  } else {
    execFileSync('mount', ['-o', 'remount,ro', mount]);
  }
}

let registry;
try {
  // Inputs on the ordinary disk: a trained model, its timm and Keras files, an input tensor, a package.
  await writeTinyRun(work);
  const data = path.join(work, 'data');
  const arch = path.join(work, 'tiny.json');
  const schedule = path.join(work, 'schedule.json');
  const train = (out) => ['train', '--data', data, '--arch', arch, '--schedule', schedule, '--out', out, '--batch-size', '16', '--epochs', '1', '--backend', 'cpu'];
  await must(train(path.join(work, 'run')));
  const model = path.join(work, 'run', 'model');
  const safetensors = path.join(work, 'model.safetensors');
  await must(['export', model, '--to', 'timm-safetensors', '--out', safetensors]);
  const input = path.join(work, 'input.npy');
  {
    const { encodeNpy } = await import(new URL('../../packages/core/dist/index.js', import.meta.url).href);
    await writeFile(input, encodeNpy({ shape: [1, 16, 16, 3], data: Float32Array.from({ length: 768 }, (_, i) => Math.sin(i)) }));
  }
  const pkg = path.join(work, 'package');
  await must(['pack', model, '--name', '@faults/tiny', '--out', pkg]);
  registry = await startLocalRegistry({ dir: path.join(work, 'registry') });
  const token = await registry.addUser();
  const userconfig = path.join(work, 'npmrc');
  await writeFile(userconfig, `//127.0.0.1:${registry.port}/:_authToken=${token}\n`);
  const npmEnv = { npm_config_userconfig: userconfig, npm_config_cache: path.join(work, 'npm-cache'), EFFNET_CACHE: path.join(work, 'cache') };
  await must(['publish', pkg, '--registry', registry.url], npmEnv);

  const existing = async (m) => cp(model, path.join(m, 'model'), { recursive: true });
  /** Each writing command with its output on the mount; `before` puts what must survive there first. */
  const cases = [
    { name: 'convert', args: (m) => ['convert', safetensors, '--from', 'timm', '--arch', arch, '--out', path.join(m, 'converted')] },
    { name: 'convert over an existing model', args: (m) => ['convert', safetensors, '--from', 'timm', '--arch', arch, '--out', path.join(m, 'model')], before: existing },
    { name: 'export --to timm-safetensors', args: (m) => ['export', model, '--to', 'timm-safetensors', '--out', path.join(m, 'w.safetensors')] },
    { name: 'export --to keras-h5', args: (m) => ['export', model, '--to', 'keras-h5', '--out', path.join(m, "w.h5")] },
    { name: 'predict --save-logits', args: (m) => ['predict', model, input, '--backend', 'cpu', '--save-logits', path.join(m, 'logits.npy')] },
    { name: 'pack', args: (m) => ['pack', model, '--name', '@faults/tiny', '--out', path.join(m, 'package')] },
    { name: 'pull --out', args: (m) => ['pull', '@faults/tiny', '--registry', registry.url, '--out', path.join(m, 'pulled')], env: npmEnv },
    { name: 'pull into the cache', args: (m) => ['pull', '@faults/tiny', '--registry', registry.url, '--cache', path.join(m, 'cache')], env: npmEnv },
    { name: 'train', args: (m) => train(path.join(m, 'run')) },
    { name: 'fashion-mnist', args: (m) => ['fashion-mnist', '--epochs', '1', '--limit', '64', '--validation', '0', '--predictions', '0', '--backend', 'cpu', '--out', path.join(m, 'fashion-mnist')] },
  ];
  const rows = [];
  for (const c of cases) {
    const row = { command: c.name };
    for (const kind of ['full', 'read-only']) {
      await prepare(kind, c.before);
      const before = await snapshot(mount);
      const r = await effnet(c.args(mount), c.env);
      const lines = r.stderr.trim().split('\n').filter(Boolean);
      const problems = [];
      if (r.code !== 1) problems.push(`exit ${r.code}`);
      const last = lines.at(-1) ?? '';
      if (!last.startsWith(`effnet: ${mount}/`)) problems.push(`last line does not name a path on the mount: ${last || '(nothing)'}`);
      if (!/no space left|read-only/.test(last)) problems.push(`the cause is not named: ${last}`);
      if (/unexpected error|\n\s+at /.test(r.stderr)) problems.push('stack trace');
      const after = await snapshot(mount);
      const added = Object.keys(after).filter((k) => !(k in before));
      const changed = Object.keys(before).filter((k) => after[k] !== before[k]);
      if (added.length) problems.push(`left behind: ${added.slice(0, 4).join(', ')}`);
      if (changed.length) problems.push(`changed or removed: ${changed.slice(0, 4).join(', ')}`);
      row[kind] = problems.length ? problems.join('; ') : 'ok';
      row[`${kind} message`] = last;
    }
    rows.push(row);
  }
  unmount();
  const bad = rows.filter((r) => r.full !== 'ok' || r['read-only'] !== 'ok').length;
  if (process.argv.includes('--json')) console.log(JSON.stringify({ rows, bad }));
  else {
    console.log('| command | disk full | read-only |\n|---|---|---|');
    for (const r of rows) console.log(`| ${r.command} | ${r.full} | ${r['read-only']} |`);
    console.log(`\nfor example: ${rows[0]['full message'].replace(work, '<tmp>')}`);
  }
  console.log(`disk-full: ${rows.length} writing commands x 2 (disk full, read-only), ${bad} failing`);
  if (bad) process.exitCode = 1;
} finally {
  unmount();
  await registry?.stop();
  await rm(work, { recursive: true, force: true });
}
