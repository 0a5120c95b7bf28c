import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EffnetError, getRegistry } from '@effnet/core';
import semver from 'semver';
import { verifyIntegrity } from './integrity.js';
import { authorizationFor, normalizeRegistry, readNpmConfig, registryFor } from './npm-config.js';
import { parsePackageSpec, type PackageSpec } from './package-spec.js';
import { PRETRAINED_KIND } from './pretrained-registry.js';
import { downloadTarball, fetchPackument, pickVersion, type RegistryAccess } from './registry-client.js';
import { readPackageTarball } from './tar-reader.js';
import { cachedVersionDir, cachedVersions, defaultCacheDir, extractIntoCache, isCached } from './variant-cache.js';
import { validateVariantMetadata, type VariantMetadata } from './variant-metadata.js';

/** Options of {@link pullVariant} and {@link loadVariant}. */
export interface PullOptions {
  /** Registry URL (default: npm's setting for the package's scope, else `registry`, else npmjs). */
  registry?: string;
  /** Cache folder (default: {@link defaultCacheDir}). */
  cacheDir?: string;
  /** Folder whose `node_modules` (and those above it) are searched first (default: the current folder). */
  cwd?: string;
  /** Do not ask the registry: use imported packages, `node_modules` and the cache only. */
  offline?: boolean;
  /** Look only in the cache and the registry, not at imported packages or `node_modules`. */
  skipInstalled?: boolean;
}

/** Where a pulled variant was found. */
export type VariantOrigin = 'imported' | 'node_modules' | 'cache' | 'registry';

/** A variant package ready to load. */
export interface PulledVariant {
  name: string;
  version: string;
  /** The package folder on disk (model.json, weight shards, variant.json, README.md). */
  dir: string;
  metadata: VariantMetadata;
  origin: VariantOrigin;
}

/** Reads and checks `variant.json` in a package folder, and that it is the package expected. */
export async function readVariantDir(dir: string, expect?: { name: string; version?: string }): Promise<VariantMetadata> {
  const file = path.join(dir, 'variant.json');
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new EffnetError('INVALID_VARIANT', missing ? 'is missing: this package is not an effnet variant' : `is not valid JSON: ${(e as Error).message}`, { file });
  }
  const metadata = validateVariantMetadata(json, file);
  if (expect && metadata.name !== expect.name) throw new EffnetError('INVALID_VARIANT', 'names another package', { file, field: 'name', expected: expect.name, actual: metadata.name });
  if (expect?.version && metadata.version !== expect.version) {
    throw new EffnetError('INVALID_VARIANT', 'holds another version than the registry lists', { file, field: 'version', expected: expect.version, actual: metadata.version });
  }
  return metadata;
}

function satisfiedLocally(version: string, spec: PackageSpec): boolean {
  // An installed or imported package answers a plain name (the `latest` tag) like require() does.
  return spec.isTag ? spec.range === 'latest' : semver.satisfies(version, spec.range);
}

function findImported(spec: PackageSpec): string | undefined {
  const found = getRegistry(PRETRAINED_KIND).find(spec.name);
  if (!found || !satisfiedLocally(found.version, spec) || !found.modelUrl.startsWith('file:')) return undefined;
  return path.dirname(fileURLToPath(found.modelUrl));
}

async function findInNodeModules(spec: PackageSpec, cwd: string): Promise<string | undefined> {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const pkgDir = path.join(dir, 'node_modules', ...spec.name.split('/'));
    const pkgFile = path.join(pkgDir, 'package.json');
    if (existsSync(pkgFile)) {
      const { version } = JSON.parse(await readFile(pkgFile, 'utf8')) as { version?: string };
      if (typeof version === 'string' && satisfiedLocally(version, spec)) return pkgDir;
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

async function fromRegistry(spec: PackageSpec, options: PullOptions, cacheDir: string): Promise<{ dir: string; version: string; origin: VariantOrigin }> {
  const config = readNpmConfig(options.cwd);
  const registry = normalizeRegistry(options.registry ?? registryFor(spec.name, config));
  const authorization = authorizationFor(registry, config);
  const access: RegistryAccess = authorization ? { registry, authorization } : { registry };
  const entry = pickVersion(await fetchPackument(spec.name, access), spec);
  if (isCached(cacheDir, spec.name, entry.version)) return { dir: cachedVersionDir(cacheDir, spec.name, entry.version), version: entry.version, origin: 'cache' };
  const tarballName = `${spec.name}@${entry.version} (${entry.dist.tarball})`;
  const bytes = await downloadTarball(entry.dist.tarball, access);
  verifyIntegrity(bytes, entry.dist.integrity, tarballName);
  const files = readPackageTarball(bytes, tarballName);
  const dir = await extractIntoCache(cacheDir, spec.name, entry.version, files, async (tmp) => {
    await readVariantDir(tmp, { name: spec.name, version: entry.version });
  });
  return { dir, version: entry.version, origin: 'registry' };
}

async function fromCacheOnly(spec: PackageSpec, cacheDir: string): Promise<{ dir: string; version: string; origin: VariantOrigin }> {
  const versions = await cachedVersions(cacheDir, spec.name);
  const version = spec.isTag ? semver.rsort(versions)[0] : semver.maxSatisfying(versions, spec.range);
  if (!version || (spec.isTag && spec.range !== 'latest')) {
    throw new EffnetError('NOT_FOUND', `${spec.name}@${spec.range} is not installed or cached, and offline is set`, { file: cacheDir, expected: spec.range, actual: versions.join(', ') || 'no cached version' });
  }
  return { dir: cachedVersionDir(cacheDir, spec.name, version), version, origin: 'cache' };
}

/**
 * Finds a variant package and returns its folder and checked metadata. `spec` is
 * `@scope/name`, `@scope/name@^1.2.0` or `@scope/name@beta`. Looks, in order, at packages
 * already imported, at `node_modules`, then asks the registry for the version to use and takes
 * it from the cache or downloads it: the tarball must match the registry's `dist.integrity`
 * (sha512), and is refused whole if any entry is a link or would land outside its folder.
 */
export async function pullVariant(spec: string, options: PullOptions = {}): Promise<PulledVariant> {
  const parsed = parsePackageSpec(spec);
  const cacheDir = path.resolve(options.cacheDir ?? defaultCacheDir());
  let found: { dir: string; version?: string; origin: VariantOrigin } | undefined;
  if (!options.skipInstalled) {
    const imported = findImported(parsed);
    if (imported) found = { dir: imported, origin: 'imported' };
    const installed = found ? undefined : await findInNodeModules(parsed, options.cwd ?? process.cwd());
    if (installed) found = { dir: installed, origin: 'node_modules' };
  }
  found ??= options.offline ? await fromCacheOnly(parsed, cacheDir) : await fromRegistry(parsed, options, cacheDir);
  const metadata = await readVariantDir(found.dir, { name: parsed.name, ...(found.version ? { version: found.version } : {}) });
  return { name: metadata.name, version: metadata.version, dir: found.dir, metadata, origin: found.origin };
}

