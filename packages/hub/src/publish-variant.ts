import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { EffnetError } from '@effnet/core';
import { authorizationFor, nerfDart, normalizeRegistry, readNpmConfig, registryFor } from './npm-config.js';
import { readVariantDir } from './pull-variant.js';
import { npmErrorSummary, runNpm } from './run-npm.js';
import { readPackageTarball } from './tar-reader.js';
import { validateVariantMetadata, type VariantMetadata } from './variant-metadata.js';

/** Options of {@link publishVariant}. */
export interface PublishOptions {
  /** Registry URL (default: npm's setting for the package's scope, else `registry`, else npmjs). */
  registry?: string;
  /** dist-tag to publish under (default `latest`). */
  tag?: string;
  /** Folder npm runs in, whose `.npmrc` applies (default: the current folder). */
  cwd?: string;
}

/** What {@link publishVariant} published. */
export interface PublishResult {
  name: string;
  version: string;
  registry: string;
  tag: string;
}

async function readTarballVariant(file: string): Promise<VariantMetadata> {
  const files = readPackageTarball(await readFile(file), file);
  const variant = files.find((f) => f.path === 'variant.json');
  if (!variant) throw new EffnetError('INVALID_VARIANT', 'holds no variant.json: it is not an effnet variant package', { file });
  const where = `${file}: variant.json`;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(variant.data));
  } catch (e) {
    throw new EffnetError('INVALID_VARIANT', `is not valid JSON: ${(e as Error).message}`, { file: where });
  }
  return validateVariantMetadata(json, where);
}

/**
 * Publishes a variant package (a folder made by `packVariant`, or its `.tgz`) with `npm publish`,
 * so npm's own rules apply: credentials from `.npmrc` (`//host/:_authToken`) or the `NPM_TOKEN`
 * environment variable, `publishConfig`, and the registry refusing a version that exists.
 * Without any credentials for the registry it refuses before running npm.
 */
export async function publishVariant(target: string, options: PublishOptions = {}): Promise<PublishResult> {
  const info = await stat(target).catch(() => undefined);
  if (!info) throw new EffnetError('NOT_FOUND', 'does not exist', { file: target });
  const metadata = info.isDirectory() ? await readVariantDir(target) : await readTarballVariant(target);
  const cwd = options.cwd ?? process.cwd();
  const config = readNpmConfig(cwd);
  const registry = normalizeRegistry(options.registry ?? registryFor(metadata.name, config));
  const env: NodeJS.ProcessEnv = { ...process.env };
  const tokenKey = `${nerfDart(registry)}:_authToken`;
  if (!config.has(tokenKey) && !config.has(`${nerfDart(registry)}:_auth`) && process.env.NPM_TOKEN) env[`npm_config_${tokenKey}`] = process.env.NPM_TOKEN;
  if (!authorizationFor(registry, config)) {
    throw new EffnetError('NO_CREDENTIALS', `no credentials for ${registry}: log in with \`npm login --registry ${registry}\` (it writes ~/.npmrc) or set NPM_TOKEN; nothing was published`, { file: target });
  }
  const tag = options.tag ?? 'latest';
  const r = await runNpm(['publish', path.resolve(target), '--registry', registry, '--tag', tag, '--access', 'public'], { cwd, env });
  if (r.code !== 0) {
    const { code, message } = npmErrorSummary(r.stderr);
    const auth = code === 'E401' || code === 'ENEEDAUTH';
    throw new EffnetError(auth ? 'NO_CREDENTIALS' : 'PUBLISH_FAILED', `${auth ? 'the registry refused the credentials' : 'npm publish failed'}${code ? ` (${code})` : ''}: ${message}`, {
      file: `${metadata.name}@${metadata.version}`,
    });
  }
  return { name: metadata.name, version: metadata.version, registry, tag };
}
