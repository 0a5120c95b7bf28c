import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
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

let work: string;
let registry: LocalRegistry;
let env: NodeJS.ProcessEnv;
let versions: Record<string, string>;

/** A fresh project outside the repository that installs `specs` (name@range) from the local registry. */
interface Consumer {
  dir: string;
  /** The package names it asked for. */
  asked: string[];
}

async function npm(args: string[], cwd: string): Promise<string> {
  const { stdout } = await run('npm', args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** Creates the project with the given fixture programs and installs `specs` into it. */
async function installConsumer(name: string, specs: string[], fixtures: string[]): Promise<Consumer> {
  const dir = path.join(work, name);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }, null, 2));
  for (const f of fixtures) await copyFile(path.join(here, 'fixtures', f), path.join(dir, f));
  await npm(['install', '--no-audit', '--no-fund', ...specs], dir);
  return { dir, asked: specs.map((s) => s.slice(0, s.lastIndexOf('@'))) };
}

/** Runs a fixture program with Node and parses the JSON it prints. */
async function runJson<T>(consumer: Consumer, file: string): Promise<T> {
  return JSON.parse((await run(process.execPath, [file], { cwd: consumer.dir, env })).stdout) as T;
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
async function declaredClosure(consumer: Consumer): Promise<Set<string>> {
  const seen = new Set<string>();
  const queue = [...consumer.asked];
  while (queue.length) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const file = path.join(consumer.dir, 'node_modules', name, 'package.json');
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

/** The project depends on exactly what it asked for, in the published snapshot versions, and `npm ls` shows nothing undeclared. */
async function expectOnlyWhatWasAsked(consumer: Consumer): Promise<void> {
  expect(path.relative(REPO_ROOT, consumer.dir).startsWith('..')).toBe(true);
  const pkg = JSON.parse(await readFile(path.join(consumer.dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  expect(Object.keys(pkg.dependencies).sort()).toEqual([...consumer.asked].sort());
  const effnet = consumer.asked.filter((n) => n.startsWith('@effnet/'));
  for (const name of effnet) {
    // Snapshot versions exist only on the local registry.
    const installed = JSON.parse(await readFile(path.join(consumer.dir, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
    expect(installed.version).toBe(versions[name]);
  }
  const tree = JSON.parse(await npm(['ls', '--all', '--json'], consumer.dir)) as LsNode;
  const installed = namesIn(tree);
  expect([...installed].filter((n) => n.startsWith('@effnet/')).sort()).toEqual([...effnet].sort());
  const allowed = await declaredClosure(consumer);
  expect([...installed].filter((n) => !allowed.has(n))).toEqual([]);
  expect(Object.keys(tree.dependencies ?? {}).sort()).toEqual([...consumer.asked].sort());
}

const maxAbs = (a: number[]) => Math.max(...a.map(Math.abs));
const maxGap = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));

/** The public packages of the repository. */
async function publicPackages(): Promise<string[]> {
  const names: string[] = [];
  for (const dir of await readdir(path.join(REPO_ROOT, 'packages'))) {
    const file = path.join(REPO_ROOT, 'packages', dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(await readFile(file, 'utf8')) as { name: string; private?: boolean };
    if (!pkg.private) names.push(pkg.name);
  }
  return names.sort();
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'effnet-consumer-'));
  registry = await startLocalRegistry({ dir: path.join(work, 'registry'), proxy: await tfjsPeerClosure() });
  await writeFile(path.join(work, 'empty.npmrc'), '');
  env = { ...process.env, npm_config_userconfig: path.join(work, 'empty.npmrc'), npm_config_cache: path.join(work, 'npm-cache'), npm_config_registry: registry.url };
  for (const key of Object.keys(env)) if (/^npm_config_.*_authtoken$/i.test(key) || /^npm_(package|lifecycle)_/.test(key) || key === 'NPM_TOKEN') delete env[key];
  ({ versions } = await releaseLocal(registry.url, { ...env, NPM_TOKEN: await registry.addUser() }));
}, 600_000);

afterAll(async () => {
  await registry?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

it('publishes every @effnet package with its own version', async () => {
  expect(Object.keys(versions).sort()).toEqual(await publicPackages());
  for (const v of Object.values(versions)) expect(v).toMatch(/^\d+\.\d+\.\d+-local-\d+$/);
});

describe('a fresh project installs only what it needs from the local registry', () => {
  let consumer: Consumer;

  it('installs core, blocks, scaling and the TF.js peers, outside the repository', async () => {
    consumer = await installConsumer(
      'model-consumer',
      ['@effnet/core@local', '@effnet/blocks@local', '@effnet/scaling@local', '@tensorflow/tfjs-core@4.22.0', '@tensorflow/tfjs-backend-cpu@4.22.0'],
      ['forward.mjs', 'forward.cjs'],
    );
    await expectOnlyWhatWasAsked(consumer);
  });

  it('runs a forward pass as ESM and as CJS, with the same logits', async () => {
    const esm = await runJson<{ shape: number[]; logits: number[]; variants: number }>(consumer, 'forward.mjs');
    const cjs = await runJson<{ shape: number[]; logits: number[]; variants: number }>(consumer, 'forward.cjs');
    expect(esm.shape).toEqual([1, 4]);
    expect(esm.variants).toBe(16); // EfficientNetV2 B0-B3, S, M, L, XL and EfficientNet (V1) B0-B7
    expect(esm.logits.every(Number.isFinite)).toBe(true);
    expect(cjs.logits).toEqual(esm.logits);
  });
});

describe('a project that adds @effnet/augment and its own augmentation plugin', () => {
  let consumer: Consumer;
  interface AugmentRun {
    format: string;
    registered: string[];
    steps: string[];
    flags: boolean[];
    pluginError: number;
    params: unknown;
    shape: number[];
    imageSum: number;
    labels: number[];
  }

  it('installs core and augment with the TF.js peers only', async () => {
    consumer = await installConsumer(
      'augment-consumer',
      ['@effnet/core@local', '@effnet/augment@local', '@tensorflow/tfjs-core@4.22.0', '@tensorflow/tfjs-backend-cpu@4.22.0'],
      ['augment-plugin.mjs', 'augment-plugin.cjs', 'augment-steps.cjs'],
    );
    await expectOnlyWhatWasAsked(consumer);
  });

  it('registers the plugin beside the built-in ones and runs it in a pipeline, the same in ESM and CJS', async () => {
    const esm = await runJson<AugmentRun>(consumer, 'augment-plugin.mjs');
    const cjs = await runJson<AugmentRun>(consumer, 'augment-plugin.cjs');
    for (const r of [esm, cjs]) {
      expect([...r.registered].sort()).toEqual(['label-smoothing', 'mixup', 'randaugment', 'random-invert']);
      expect(r.steps).toEqual(['random-invert', 'randaugment', 'mixup']);
      // The plugin inverted exactly the images it drew, and drew both outcomes.
      expect(r.pluginError).toBe(0);
      expect(r.flags).toHaveLength(8);
      expect(r.flags.some((f) => f) && r.flags.some((f) => !f)).toBe(true);
      expect(r.shape).toEqual([8, 16, 16, 3]);
      for (let i = 0; i < 8; i++) expect(r.labels.slice(i * 4, i * 4 + 4).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
    const { format: _e, ...esmRest } = esm;
    const { format: _c, ...cjsRest } = cjs;
    expect(cjsRest).toEqual(esmRest);
  });
});

describe('a project that swaps backends with @effnet/backends', () => {
  let consumer: Consumer;
  interface SwapRun {
    backends: Record<string, { active: string; patches: string[]; logits: number[]; loss: number; trained: number[] }>;
    auto: string;
    skipped: string[];
  }

  it('installs the model packages, backends, and the cpu and wasm TF.js backends only', async () => {
    consumer = await installConsumer(
      'backends-consumer',
      [
        '@effnet/core@local',
        '@effnet/blocks@local',
        '@effnet/scaling@local',
        '@effnet/backends@local',
        '@tensorflow/tfjs-core@4.22.0',
        '@tensorflow/tfjs-backend-cpu@4.22.0',
        '@tensorflow/tfjs-backend-wasm@4.22.0',
      ],
      ['swap-backends.mjs', 'swap-backends.cjs', 'swap-steps.cjs'],
    );
    await expectOnlyWhatWasAsked(consumer);
    // Optional peers (webgpu, tfjs-node, ...) were not pulled in.
    for (const name of ['webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-webgpu']) expect(existsSync(path.join(consumer.dir, 'node_modules', name))).toBe(false);
  });

  it('runs and trains the same model on cpu and wasm, and auto picks wasm, in ESM and CJS', async () => {
    for (const file of ['swap-backends.mjs', 'swap-backends.cjs']) {
      const r = await runJson<SwapRun>(consumer, file);
      const { cpu, wasm } = r.backends;
      expect(cpu!.active).toBe('cpu');
      expect(wasm!.active).toBe('wasm');
      expect(wasm!.patches).toContain('Conv2DBackpropFilter');
      expect(maxGap(cpu!.logits, wasm!.logits)).toBeLessThan(1e-4 * maxAbs(cpu!.logits) + 1e-6);
      expect(Number.isFinite(cpu!.loss)).toBe(true);
      expect(Math.abs(cpu!.loss - wasm!.loss)).toBeLessThan(1e-3 * Math.abs(cpu!.loss));
      // The step moved the weights, by the same gradients on both backends.
      expect(maxGap(cpu!.trained, cpu!.logits)).toBeGreaterThan(1e-3 * maxAbs(cpu!.logits));
      expect(maxGap(cpu!.trained, wasm!.trained)).toBeLessThan(1e-3 * maxAbs(cpu!.trained));
      // Nothing better than wasm is installed in this project.
      expect(r.auto).toBe('wasm');
      expect(r.skipped).toEqual(['tfjs-node-gpu', 'tfjs-node', 'webgpu']);
    }
  });
});
