#!/usr/bin/env node
// `npm run release:local`: versions every @effnet/* package with changesets (a snapshot version,
// `<next>-local-<datetime>`, under the dist-tag `local`) and publishes them to a local registry.
// The repository is left untouched: versioning happens in a staged copy of the packages.
//
//   node scripts/release-local.mjs                    start verdaccio on 127.0.0.1:4873 (storage in
//                                                     .cache/local-registry), publish, keep serving
//   node scripts/release-local.mjs --registry <url>   publish to a running registry (credentials from
//                                                     .npmrc or NPM_TOKEN) and exit
//   --no-serve                                        stop the started registry after publishing
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startLocalRegistry } from './local-registry.mjs';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The TF.js packages a consumer of the local registry may install next to @effnet packages. */
export const TFJS_PEERS = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm'];

/** Package names the TF.js peers need (from package-lock.json), which a local registry proxies so consumers can install them. */
export async function tfjsPeerClosure(names = TFJS_PEERS) {
  const lock = JSON.parse(await readFile(path.join(root, 'package-lock.json'), 'utf8')).packages;
  const seen = new Set();
  const visit = (name, from) => {
    if (seen.has(name)) return;
    // npm resolves a dependency from the nearest node_modules above the dependent.
    let entry;
    for (let dir = from; ; dir = dir.replace(/\/?node_modules\/(@[^/]+\/)?[^/]+$/, '')) {
      entry = lock[`${dir ? `${dir}/` : ''}node_modules/${name}`];
      if (entry || !dir) break;
    }
    if (!entry) return;
    seen.add(name);
    const key = Object.keys(lock).find((k) => lock[k] === entry);
    for (const dep of Object.keys(entry.dependencies ?? {})) visit(dep, key);
  };
  for (const n of names) visit(n, '');
  return [...seen].sort();
}

function run(cmd, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} failed (${code}):\n${out}`))));
  });
}

/** Copies what each package publishes (its `files`, package.json, README) and the changesets into a fresh folder. */
async function stage() {
  const dir = await mkdtemp(path.join(tmpdir(), 'effnet-release-'));
  const rootPkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: rootPkg.name, private: true, version: rootPkg.version, workspaces: rootPkg.workspaces }, null, 2));
  await cp(path.join(root, '.changeset'), path.join(dir, '.changeset'), { recursive: true });
  const names = [];
  for (const name of await readdir(path.join(root, 'packages'))) {
    const from = path.join(root, 'packages', name);
    if (!existsSync(path.join(from, 'package.json'))) continue;
    const pkg = JSON.parse(await readFile(path.join(from, 'package.json'), 'utf8'));
    if (pkg.private) continue;
    if (!existsSync(path.join(from, 'dist'))) throw new Error(`${pkg.name} is not built: run npm run build first`);
    const to = path.join(dir, 'packages', name);
    await mkdir(to, { recursive: true });
    for (const f of ['package.json', 'CHANGELOG.md', ...(pkg.files ?? [])]) {
      if (existsSync(path.join(from, f))) await cp(path.join(from, f), path.join(to, f), { recursive: true });
    }
    names.push(pkg.name);
  }
  return { dir, names };
}

/** Versions the staged packages and publishes them to `registry` under the `local` dist-tag. */
export async function releaseLocal(registry, env = process.env) {
  const { dir, names } = await stage();
  try {
    const changeset = path.join(root, 'node_modules', '@changesets', 'cli', 'bin.js');
    const npmEnv = { ...env, npm_config_registry: registry };
    const dart = registry.replace(/^https?:/, '');
    if (env.NPM_TOKEN) npmEnv[`npm_config_${dart}:_authToken`] = env.NPM_TOKEN;
    await run(process.execPath, [changeset, 'version', '--snapshot', 'local'], { cwd: dir, env: npmEnv });
    await run(process.execPath, [changeset, 'publish', '--tag', 'local', '--no-git-tag'], { cwd: dir, env: npmEnv });
    const versions = {};
    for (const name of await readdir(path.join(dir, 'packages'))) {
      const pkg = JSON.parse(await readFile(path.join(dir, 'packages', name, 'package.json'), 'utf8'));
      versions[pkg.name] = pkg.version;
    }
    return { names, versions };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main() {
  const { values } = parseArgs({ options: { registry: { type: 'string' }, 'no-serve': { type: 'boolean' }, port: { type: 'string' } } });
  let registry = values.registry;
  let server;
  const env = { ...process.env };
  if (!registry) {
    server = await startLocalRegistry({ dir: path.join(root, '.cache', 'local-registry'), port: Number(values.port ?? 4873), proxy: await tfjsPeerClosure() });
    registry = server.url;
    env.NPM_TOKEN = await server.addUser('effnet-release', 'effnet-release');
  }
  const { versions } = await releaseLocal(registry.endsWith('/') ? registry : `${registry}/`, env);
  for (const [name, version] of Object.entries(versions)) console.log(`published ${name}@${version} (tag local)`);
  if (!server) return;
  if (values['no-serve']) return server.stop();
  console.log(`\nregistry: ${registry}  (try: npm install @effnet/core@local @effnet/blocks@local @effnet/scaling@local @tensorflow/tfjs-core@4.22.0 @tensorflow/tfjs-backend-cpu@4.22.0 --registry ${registry})`);
  console.log('serving until Ctrl-C');
  const stop = () => server.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
