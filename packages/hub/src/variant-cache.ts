import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { EffnetError, writeDirAtomic } from '@effnet/core';
import semver from 'semver';
import type { TarFile } from './tar-reader.js';

/**
 * Where pulled variants are kept: `EFFNET_CACHE`, else `$XDG_CACHE_HOME/effnet/variants`, else
 * `~/.cache/effnet/variants`.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.EFFNET_CACHE) return path.resolve(env.EFFNET_CACHE);
  return path.join(env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'effnet', 'variants');
}

/** The cache folder of one package version: `<cache>/@scope/name/<version>`. */
export function cachedVersionDir(cacheDir: string, name: string, version: string): string {
  if (semver.valid(version) !== version) {
    throw new EffnetError('REGISTRY_ERROR', 'is not a plain semver version; refusing to use it as a cache folder', { file: name, field: 'version', expected: 'x.y.z', actual: version });
  }
  const root = path.resolve(cacheDir);
  const dir = path.join(root, ...name.split('/'), version);
  if (!dir.startsWith(root + path.sep)) {
    throw new EffnetError('REGISTRY_ERROR', 'would be cached outside the cache folder', { file: name, field: 'version', expected: `a folder inside ${root}`, actual: dir });
  }
  return dir;
}

/** True when that version is complete in the cache (folders appear only once fully written). */
export function isCached(cacheDir: string, name: string, version: string): boolean {
  return existsSync(path.join(cachedVersionDir(cacheDir, name, version), 'variant.json'));
}

/** Versions of a package present in the cache. */
export async function cachedVersions(cacheDir: string, name: string): Promise<string[]> {
  const dir = path.join(path.resolve(cacheDir), ...name.split('/'));
  const entries = await readdir(dir).catch(() => [] as string[]);
  return entries.filter((v) => semver.valid(v) && isCached(cacheDir, name, v));
}

/** A folder may be replaced by a variant package when it is one already, or is empty. */
export async function mayReplaceVariantDir(dir: string): Promise<boolean> {
  return existsSync(path.join(dir, 'variant.json')) || (await readdir(dir)).length === 0;
}

/**
 * Writes a package's files into the cache as `<cache>/@scope/name/<version>`, atomically: the
 * files go to a temporary folder beside it, `check` may refuse them, and only then is the folder
 * renamed into place. Every target path is checked to stay inside that folder.
 */
export async function extractIntoCache(cacheDir: string, name: string, version: string, files: TarFile[], check: (dir: string) => Promise<void>): Promise<string> {
  const dir = cachedVersionDir(cacheDir, name, version);
  await writeDirAtomic(
    dir,
    async (tmp) => {
      const root = path.resolve(tmp);
      for (const f of files) {
        const target = path.resolve(root, f.path);
        if (!target.startsWith(root + path.sep)) {
          throw new EffnetError('UNSAFE_TARBALL', 'holds an entry that escapes its folder; refusing to extract anything', { file: name, field: f.path });
        }
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, f.data, { flag: 'wx' });
      }
      await check(root);
    },
    mayReplaceVariantDir,
  );
  return dir;
}
