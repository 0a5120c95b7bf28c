import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EffnetError, FieldChecker, loadModel, writeDirAtomic } from '@effnet/core';
import semver from 'semver';
import { entryModuleFiles } from './entry-module.js';
import { renderModelCard } from './model-card.js';
import { mayReplaceVariantDir } from './variant-cache.js';
import { checkPackageName } from './package-spec.js';
import { readUserMetadata, validateVariantMetadata, VARIANT_SCHEMA_VERSION, type UserMetadata, type VariantMetadata } from './variant-metadata.js';

declare const __EFFNET_HUB_VERSION__: string | undefined;

/** Range of `@effnet/core` versions the generated entry modules work with (they use `getRegistry` and `resolveArchitecture`). */
export const CORE_PEER_RANGE = '>=0.1.0 <1.0.0';

/** Options of {@link packVariant}. */
export interface PackOptions {
  /** npm package name, e.g. `@my-org/flowers-b0`. */
  name: string;
  /** Semantic version (default `1.0.0`). */
  version?: string;
  /** Output folder (default `<name without scope>-<version>` in the current folder). */
  out?: string;
  /** Metadata to record: description, license, metrics, training recipe, source, tags, labels, cropPct. */
  metadata?: UserMetadata;
  /** The file `metadata` was read from, named in its errors (default `metadata`). */
  metadataFile?: string;
}

/** What {@link packVariant} wrote. */
export interface PackResult {
  dir: string;
  metadata: VariantMetadata;
  files: string[];
}

function packageJson(m: VariantMetadata, files: string[]): Record<string, unknown> {
  const types = { import: { types: './index.d.ts', default: './index.js' }, require: { types: './index.d.cts', default: './index.cjs' } };
  const pkg: Record<string, unknown> = {
    name: m.name,
    version: m.version,
    description: m.description ?? `${m.architecture.name} model for effnet (TensorFlow.js), ${m.architecture.numClasses} classes`,
    license: m.license,
    type: 'module',
    main: './index.cjs',
    module: './index.js',
    types: './index.d.ts',
    exports: { '.': types, './variant.json': './variant.json', './model.json': './model.json', './package.json': './package.json' },
    sideEffects: ['./index.js', './index.cjs'],
    files,
    peerDependencies: { '@effnet/core': CORE_PEER_RANGE },
    keywords: ['effnet', 'effnet-variant', 'efficientnetv2', 'tensorflowjs', ...(m.tags ?? [])],
  };
  return pkg;
}

/** The weight shard files a `model.json` lists. */
async function shardPaths(modelJsonFile: string): Promise<string[]> {
  const json = JSON.parse(await readFile(modelJsonFile, 'utf8')) as { weightsManifest: { paths: string[] }[] };
  const paths = json.weightsManifest.flatMap((g) => g.paths);
  const c = new FieldChecker(modelJsonFile, 'NOT_A_MODEL');
  paths.forEach((p, i) => {
    if (p.includes('/') || p.includes('\\') || p.startsWith('.')) c.fail(`weightsManifest.paths[${i}]`, 'must be a file name in the model folder', 'a plain file name', p);
  });
  return paths;
}

/**
 * Makes an npm package from a model folder written by `saveModel` (or `effnet convert`):
 * `variant.json` (architecture, preprocessing, labels, sizes, metrics, recipe, license),
 * `model.json` and its weight shards copied byte for byte, a README model card, and an entry
 * module that registers the variant when imported. The model is loaded once to check it, so its
 * block types must be registered and a TF.js backend set. The folder is written atomically.
 */
export async function packVariant(modelDir: string, options: PackOptions): Promise<PackResult> {
  const name = checkPackageName(options.name, new FieldChecker(undefined, 'BAD_OPTION'), '--name');
  const version = options.version ?? '1.0.0';
  if (!semver.valid(version)) throw new EffnetError('BAD_OPTION', 'is not a semantic version', { field: '--version', expected: 'e.g. 1.0.0', actual: version });
  const user = readUserMetadata(new FieldChecker(options.metadataFile ?? 'metadata', 'INVALID_VARIANT'), (options.metadata ?? {}) as Record<string, unknown>);
  const model = await loadModel(modelDir);
  let metadata: VariantMetadata;
  try {
    const raw = {
      schemaVersion: VARIANT_SCHEMA_VERSION,
      name,
      version,
      license: 'UNLICENSED',
      ...(model.labels ? { labels: model.labels } : {}),
      ...user,
      architecture: model.spec,
      parameterCount: model.countParams().trainable,
      createdBy: typeof __EFFNET_HUB_VERSION__ === 'string' ? `@effnet/hub ${__EFFNET_HUB_VERSION__}` : '@effnet/hub',
      dateSaved: new Date().toISOString(),
    };
    metadata = validateVariantMetadata(raw, 'metadata');
  } finally {
    model.dispose();
  }
  const shards = await shardPaths(path.join(modelDir, 'model.json'));
  const entry = entryModuleFiles(metadata);
  const files = ['variant.json', 'model.json', ...shards, ...Object.keys(entry)];
  const out = path.resolve(options.out ?? `${name.replace(/^@[^/]+\//, '')}-${version}`);
  await writeDirAtomic(
    out,
    async (tmp) => {
      for (const f of ['model.json', ...shards]) await copyFile(path.join(modelDir, f), path.join(tmp, f));
      await writeFile(path.join(tmp, 'variant.json'), `${JSON.stringify(metadata, null, 2)}\n`);
      for (const [file, text] of Object.entries(entry)) await writeFile(path.join(tmp, file), text);
      await writeFile(path.join(tmp, 'README.md'), renderModelCard(metadata));
      await writeFile(path.join(tmp, 'package.json'), `${JSON.stringify(packageJson(metadata, files), null, 2)}\n`);
    },
    mayReplaceVariantDir,
  );
  return { dir: out, metadata, files: [...files, 'README.md', 'package.json'] };
}
