import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRegistry, type LocalRegistry } from '../../scripts/local-registry.mjs';
import { releaseLocal, tfjsPeerClosure } from '../../scripts/release-local.mjs';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(here, '../..');
const ASKED = ['@effnet/core', '@effnet/blocks', '@effnet/scaling', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu'];

let work: string;
let consumer: string;
let registry: LocalRegistry;
let env: NodeJS.ProcessEnv;
let versions: Record<string, string>;

async function npm(args: string[], cwd = consumer): Promise<string> {
  const { stdout } = await run('npm', args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

interface LsNode {
  version?: string;
  dependencies?: Record<string, LsNode>;
}

function namesIn(tree: LsNode, into = new Set<string>()): Set<string> {
  for (const [name, node] of Object.entries(tree.dependencies ?? {})) {
    if (!node.version) continue; // optional peers npm lists as not installed
    into.add(name);
    namesIn(node, into);
  }
  return into;
}

/** The names reachable from `roots` through the dependencies and required peers that installed packages declare. */
async function declaredClosure(roots: string[]): Promise<Set<string>> {
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const file = path.join(consumer, 'node_modules', name, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(await readFile(file, 'utf8')) as {
      dependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
      peerDependenciesMeta?: Record<string, { optional?: boolean }>;
    };
    queue.push(...Object.keys(pkg.dependencies ?? {}));
    queue.push(...Object.keys(pkg.peerDependencies ?? {}).filter((p) => !pkg.peerDependenciesMeta?.[p]?.optional));
  }
  return seen;
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'effnet-consumer-'));
  registry = await startLocalRegistry({ dir: path.join(work, 'registry'), proxy: await tfjsPeerClosure() });
  await writeFile(path.join(work, 'empty.npmrc'), '');
  env = { ...process.env, npm_config_userconfig: path.join(work, 'empty.npmrc'), npm_config_cache: path.join(work, 'npm-cache'), npm_config_registry: registry.url };
  for (const key of Object.keys(env)) if (/^npm_config_.*_authtoken$/i.test(key) || /^npm_(package|lifecycle)_/.test(key) || key === 'NPM_TOKEN') delete env[key];
  ({ versions } = await releaseLocal(registry.url, { ...env, NPM_TOKEN: await registry.addUser() }));
  consumer = path.join(work, 'consumer');
  await run('mkdir', ['-p', consumer]);
  await writeFile(path.join(consumer, 'package.json'), JSON.stringify({ name: 'effnet-consumer', version: '1.0.0', private: true }, null, 2));
  for (const f of ['forward.mjs', 'forward.cjs']) await copyFile(path.join(here, 'fixtures', f), path.join(consumer, f));
}, 600_000);

afterAll(async () => {
  await registry?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('a fresh project installs only what it needs from the local registry', () => {
  it('publishes every @effnet package with its own version', async () => {
    const { readdir } = await import('node:fs/promises');
    const workspace: string[] = [];
    for (const dir of await readdir(path.join(REPO_ROOT, 'packages'))) {
      const file = path.join(REPO_ROOT, 'packages', dir, 'package.json');
      if (existsSync(file)) workspace.push((JSON.parse(await readFile(file, 'utf8')) as { name: string }).name);
    }
    expect(Object.keys(versions).sort()).toEqual(workspace.sort());
    for (const v of Object.values(versions)) expect(v).toMatch(/^\d+\.\d+\.\d+-local-\d+$/);
  });

  it('installs core, blocks, scaling and the TF.js peers, outside the repository', async () => {
    expect(path.relative(REPO_ROOT, consumer).startsWith('..')).toBe(true);
    await npm(['install', '--no-audit', '--no-fund', '@effnet/core@local', '@effnet/blocks@local', '@effnet/scaling@local', '@tensorflow/tfjs-core@4.22.0', '@tensorflow/tfjs-backend-cpu@4.22.0']);
    const pkg = JSON.parse(await readFile(path.join(consumer, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies).sort()).toEqual([...ASKED].sort());
    for (const name of ['@effnet/core', '@effnet/blocks', '@effnet/scaling']) {
      // Snapshot versions exist only on the local registry.
      const installed = JSON.parse(await readFile(path.join(consumer, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
      expect(installed.version).toBe(versions[name]);
    }
  });

  it('runs a forward pass as ESM and as CJS, with the same logits', async () => {
    const esm = JSON.parse((await run(process.execPath, ['forward.mjs'], { cwd: consumer, env })).stdout) as { shape: number[]; logits: number[]; variants: number };
    const cjs = JSON.parse((await run(process.execPath, ['forward.cjs'], { cwd: consumer, env })).stdout) as { shape: number[]; logits: number[]; variants: number };
    expect(esm.shape).toEqual([1, 4]);
    expect(esm.variants).toBe(8);
    expect(esm.logits.every(Number.isFinite)).toBe(true);
    expect(cjs.logits).toEqual(esm.logits);
  });

  it('npm ls shows only the packages asked for and their declared dependencies', async () => {
    const tree = JSON.parse(await npm(['ls', '--all', '--json'])) as LsNode;
    const installed = namesIn(tree);
    expect([...installed].filter((n) => n.startsWith('@effnet/')).sort()).toEqual(['@effnet/blocks', '@effnet/core', '@effnet/scaling']);
    const allowed = await declaredClosure(ASKED);
    expect([...installed].filter((n) => !allowed.has(n))).toEqual([]);
    expect(Object.keys(tree.dependencies ?? {}).sort()).toEqual([...ASKED].sort());
  });
});
