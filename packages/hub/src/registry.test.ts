import { createRequire } from 'node:module';
import { cp, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createModel, getRegistry, saveModel, type EffNetModel } from '@effnet/core';
import { registerBlocks } from '@effnet/blocks';
import { registerVariants } from '@effnet/scaling';
import { REPO_ROOT } from '../../core/src/test-support/paths.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integrityOf } from './integrity.js';
import { loadVariant } from './load-variant.js';
import { packVariant } from './pack-variant.js';
import { listPretrained } from './pretrained-registry.js';
import { publishVariant } from './publish-variant.js';
import { pullVariant } from './pull-variant.js';
import { startRegistryFixture, type RegistryFixture } from './test-support/registry-fixture.js';
import { makeTarball } from './test-support/tar-writer.js';

const NAME = '@effnet-test/tiny-flowers';
const LABELS = ['daisy', 'rose', 'tulip'];
const SMALL = { base: 'efficientnetv2-b0', width: 0.25, depth: 0.25, numClasses: 3 };

let fx: RegistryFixture;
let input: tf.Tensor4D;
const sources = new Map<string, EffNetModel>();

function logitsOf(model: EffNetModel): Float32Array {
  return tf.tidy(() => model.predict(input).dataSync() as Float32Array);
}

/** Saves a small model with `seed`, packs it as `version` and publishes it. */
async function release(version: string, seed: number): Promise<string> {
  const model = createModel(SMALL, { seed, labels: LABELS, name: 'tiny-flowers' });
  sources.set(version, model);
  const modelDir = path.join(fx.work, `model-${version}`);
  await saveModel(model, modelDir);
  const { dir } = await packVariant(modelDir, {
    name: NAME,
    version,
    out: path.join(fx.work, `pkg-${version}`),
    metadata: { license: 'Apache-2.0', metrics: { 'flowers/top1': 0.5 }, recipe: { epochs: 1 }, description: 'a tiny test model' },
  });
  process.env.NPM_TOKEN = fx.token;
  try {
    await publishVariant(dir, { registry: fx.registry.url, cwd: fx.work });
  } finally {
    delete process.env.NPM_TOKEN;
  }
  return dir;
}

async function packument(name: string): Promise<{ versions: Record<string, unknown> } | undefined> {
  const res = await fetch(`${fx.registry.url}${name.replace('/', '%2f')}`);
  return res.ok ? ((await res.json()) as { versions: Record<string, unknown> }) : undefined;
}

/** Publishes a hand-made tarball as `name@version` through npm's publish protocol. */
async function publishRaw(name: string, version: string, tgz: Uint8Array): Promise<void> {
  const file = `${name.split('/')[1]}-${version}.tgz`;
  const body = {
    _id: name,
    name,
    'dist-tags': { latest: version },
    versions: { [version]: { name, version, _id: `${name}@${version}`, dist: { integrity: integrityOf(tgz), tarball: `${fx.registry.url}${name}/-/${file}` } } },
    _attachments: { [file]: { content_type: 'application/octet-stream', data: Buffer.from(tgz).toString('base64'), length: tgz.length } },
  };
  const res = await fetch(`${fx.registry.url}${name.replace('/', '%2f')}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${fx.token}` },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`publish of ${name} refused: ${res.status} ${await res.text()}`);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerBlocks();
  registerVariants();
  fx = await startRegistryFixture();
  Object.assign(process.env, fx.env);
  for (const key of Object.keys(process.env)) if (!(key in fx.env)) delete process.env[key];
  input = tf.randomUniform([2, 48, 40, 3], -1, 1, 'float32', 3) as tf.Tensor4D;
});

afterAll(async () => {
  for (const m of sources.values()) m.dispose();
  input?.dispose();
  await fx?.cleanup();
});

describe('variants through a real registry', () => {
  it('publishes, pulls into a clean cache and predicts the same logits as the source model', async () => {
    const pkgDir = await release('1.0.0', 1);
    expect((await readdir(pkgDir)).sort()).toEqual(['README.md', 'group1-shard1of1.bin', 'index.cjs', 'index.d.cts', 'index.d.ts', 'index.js', 'model.json', 'package.json', 'variant.json']);
    const card = await readFile(path.join(pkgDir, 'README.md'), 'utf8');
    expect(card).toContain(`# ${NAME}`);
    expect(card).toMatch(/\| flowers\/top1 \| 0.5 \|/);

    const cacheDir = path.join(fx.work, 'clean-cache');
    const pulled = await pullVariant(NAME, { registry: fx.registry.url, cacheDir, skipInstalled: true });
    expect(pulled).toMatchObject({ name: NAME, version: '1.0.0', origin: 'registry' });
    expect(pulled.dir.startsWith(cacheDir)).toBe(true);
    expect(pulled.metadata.labels).toEqual(LABELS);
    expect(pulled.metadata.parameterCount).toBe(sources.get('1.0.0')!.countParams().trainable);

    const before = tf.memory().numTensors;
    const model = await loadVariant(NAME, { registry: fx.registry.url, cacheDir, skipInstalled: true });
    expect(model.labels).toEqual(LABELS);
    expect(logitsOf(model)).toEqual(logitsOf(sources.get('1.0.0')!));
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);

    const again = await pullVariant(`${NAME}@1.0.0`, { registry: fx.registry.url, cacheDir, skipInstalled: true });
    expect(again.origin).toBe('cache');
  });

  it('resolves a second version and semver ranges', async () => {
    await release('1.1.0', 2);
    await release('2.0.0', 3);
    const opts = { registry: fx.registry.url, cacheDir: path.join(fx.work, 'range-cache'), skipInstalled: true };
    expect((await pullVariant(`${NAME}@^1.0.0`, opts)).version).toBe('1.1.0');
    expect((await pullVariant(`${NAME}@1.0.x`, opts)).version).toBe('1.0.0');
    expect((await pullVariant(NAME, opts)).version).toBe('2.0.0');
    expect((await pullVariant(`${NAME}@>=1.1 <2`, opts)).version).toBe('1.1.0');
    await expect(pullVariant(`${NAME}@^3`, opts)).rejects.toThrow(/no version of @effnet-test\/tiny-flowers matches.*expected one of 1.0.0, 1.1.0, 2.0.0, got \^3/);
    const v11 = await loadVariant(`${NAME}@~1.1.0`, opts);
    expect(logitsOf(v11)).toEqual(logitsOf(sources.get('1.1.0')!));
    expect(logitsOf(v11)).not.toEqual(logitsOf(sources.get('1.0.0')!));
    v11.dispose();
    const offline = await pullVariant(`${NAME}@^1`, { ...opts, offline: true, registry: 'http://127.0.0.1:9/' });
    expect(offline).toMatchObject({ version: '1.1.0', origin: 'cache' });
  });

  it('refuses to publish without credentials, and publishes nothing', async () => {
    const model = createModel(SMALL, { seed: 9 });
    const modelDir = path.join(fx.work, 'model-nocreds');
    await saveModel(model, modelDir);
    model.dispose();
    const { dir } = await packVariant(modelDir, { name: '@effnet-test/no-creds', out: path.join(fx.work, 'pkg-nocreds') });
    await expect(publishVariant(dir, { registry: fx.registry.url, cwd: fx.work })).rejects.toThrow(
      /no credentials for http:\/\/127\.0\.0\.1:\d+\/: log in with `npm login --registry .*` .*or set NPM_TOKEN; nothing was published/,
    );
    process.env.NPM_TOKEN = 'not-a-valid-token';
    try {
      await expect(publishVariant(dir, { registry: fx.registry.url, cwd: fx.work })).rejects.toThrow(/the registry refused the credentials \(E401\)/);
    } finally {
      delete process.env.NPM_TOKEN;
    }
    expect(await packument('@effnet-test/no-creds')).toBeUndefined();
  });

  it('refuses a tarball whose integrity does not match, and caches nothing', async () => {
    await release('3.0.0', 4);
    const stored = path.join(fx.registry.storage, '@effnet-test', 'tiny-flowers', 'tiny-flowers-3.0.0.tgz');
    const bytes = await readFile(stored);
    bytes[bytes.length - 9]! ^= 0xff; // flip bits in the gzip trailer's CRC
    await writeFile(stored, bytes);
    const cacheDir = path.join(fx.work, 'integrity-cache');
    await expect(pullVariant(`${NAME}@3.0.0`, { registry: fx.registry.url, cacheDir, skipInstalled: true })).rejects.toThrow(
      /tiny-flowers@3\.0\.0 .*: dist.integrity: does not match the integrity the registry lists; refusing to use it \(expected sha512-.*, got sha512-/,
    );
    expect(existsSync(path.join(cacheDir, '@effnet-test', 'tiny-flowers', '3.0.0'))).toBe(false);
  });

  it.each([
    ['a ../ path', 'escape-dotdot', (canary: string) => ({ path: `package/../../../../../../../../../../..${canary}`, data: 'owned' })],
    ['an absolute path', 'escape-absolute', (canary: string) => ({ path: canary, data: 'owned' })],
    ['a symbolic link', 'escape-symlink', (canary: string) => ({ path: 'package/model.json', type: '2', linkTarget: canary })],
  ])('refuses a tarball with %s and writes nothing outside the cache', async (_what, pkg, hostile) => {
    const name = `@effnet-test/${pkg}`;
    const canary = path.join(fx.work, `canary-${pkg}.txt`);
    const variant = JSON.parse(await readFile(path.join(fx.work, 'pkg-1.0.0', 'variant.json'), 'utf8')) as Record<string, unknown>;
    const tgz = makeTarball([
      { path: 'package/package.json', data: JSON.stringify({ name, version: '1.0.0' }) },
      { path: 'package/variant.json', data: JSON.stringify({ ...variant, name }) },
      hostile(canary),
    ]);
    await publishRaw(name, '1.0.0', tgz);
    const cacheDir = path.join(fx.work, `cache-${pkg}`);
    await expect(pullVariant(name, { registry: fx.registry.url, cacheDir, skipInstalled: true })).rejects.toThrow(/refusing to extract anything/);
    expect(existsSync(canary)).toBe(false);
    expect(existsSync(path.join(cacheDir, '@effnet-test', pkg, '1.0.0'))).toBe(false);
    const leftovers = existsSync(path.join(cacheDir, '@effnet-test', pkg)) ? await readdir(path.join(cacheDir, '@effnet-test', pkg)) : [];
    expect(leftovers).toEqual([]);
  });

  it('registers the variant when its package is imported, as ESM and as CJS', async () => {
    const project = path.join(fx.work, 'project');
    const installed = path.join(project, 'node_modules', '@effnet-test', 'tiny-flowers');
    await mkdir(path.dirname(installed), { recursive: true });
    await cp(path.join(fx.work, 'pkg-1.1.0'), installed, { recursive: true });
    await writeFile(path.join(project, 'package.json'), '{"name":"project","private":true}');
    await mkdir(path.join(project, 'node_modules', '@effnet'), { recursive: true });
    await symlink(path.join(REPO_ROOT, 'packages', 'core'), path.join(project, 'node_modules', '@effnet', 'core'));

    const fromNodeModules = await pullVariant(`${NAME}@^1`, { cwd: project, registry: 'http://127.0.0.1:9/' });
    expect(fromNodeModules).toMatchObject({ version: '1.1.0', origin: 'node_modules', dir: installed });

    expect(listPretrained()).not.toContain(NAME);
    const esm = (await import(pathToFileURL(path.join(installed, 'index.js')).href)) as { variant: { version: string }; modelUrl: string };
    const cjs = createRequire(path.join(project, 'package.json'))(path.join(installed, 'index.cjs')) as { modelUrl: string };
    expect(esm.variant.version).toBe('1.1.0');
    expect(cjs.modelUrl).toBe(esm.modelUrl);
    expect(listPretrained('@effnet-test/*')).toEqual([NAME]);

    const untrained = createModel(NAME, { seed: 5 });
    expect(untrained.spec).toEqual({ ...sources.get('1.1.0')!.spec, name: NAME });
    untrained.dispose();
    const imported = await pullVariant(NAME, { cwd: fx.work, registry: 'http://127.0.0.1:9/' });
    expect(imported.origin).toBe('imported');
    const model = await loadVariant(NAME, { registry: 'http://127.0.0.1:9/' });
    expect(logitsOf(model)).toEqual(logitsOf(sources.get('1.1.0')!));
    model.dispose();
    getRegistry('pretrained').unregister(NAME);
    getRegistry('variant').unregister(NAME);
  });
});
