import { EffnetError } from '@effnet/core';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/** The public npm registry. */
export const DEFAULT_REGISTRY = 'https://registry.npmjs.org/';

/** npm settings that matter for fetching packages: registries and credentials. */
export type NpmConfig = Map<string, string>;

function parseNpmrc(file: string, env: NodeJS.ProcessEnv, into: NpmConfig): void {
  if (!existsSync(file)) return;
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const t = line.trim();
    if (t === '' || t.startsWith('#') || t.startsWith(';')) continue;
    const eq = t.indexOf('=');
    if (eq <= 0) continue;
    let value = t.slice(eq + 1).trim();
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1);
    value = value.replace(/\$\{([^}]+)\}/g, (_m, name: string) => env[name] ?? '');
    into.set(t.slice(0, eq).trim(), value);
  }
}

/** The project folder npm would use: the nearest folder at or above `cwd` with a package.json. */
function projectRoot(cwd: string): string {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(cwd);
  }
}

/**
 * Reads npm's settings the way npm layers them: the user's `.npmrc` (`npm_config_userconfig`
 * or `~/.npmrc`), the project's `.npmrc`, then `npm_config_*` environment variables.
 */
export function readNpmConfig(cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): NpmConfig {
  const config: NpmConfig = new Map();
  parseNpmrc(env.npm_config_userconfig ?? env.NPM_CONFIG_USERCONFIG ?? path.join(homedir(), '.npmrc'), env, config);
  parseNpmrc(path.join(projectRoot(cwd), '.npmrc'), env, config);
  for (const [key, value] of Object.entries(env)) {
    if (!/^npm_config_/i.test(key) || !value) continue;
    const name = key.slice('npm_config_'.length);
    config.set(name.startsWith('//') ? name : name.replace(/(?!^)_/g, '-').toLowerCase(), value);
  }
  return config;
}

/** A registry URL with exactly one trailing slash; anything but an http(s) URL is refused. */
export function normalizeRegistry(url: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new EffnetError('BAD_REGISTRY', 'is not a registry address', { field: 'registry', expected: 'an http:// or https:// URL', actual: url });
  }
  return url.endsWith('/') ? url : `${url}/`;
}

/** The registry npm would use for a package: `@scope:registry`, else `registry`, else the public one. */
export function registryFor(name: string, config: NpmConfig): string {
  const scope = name.startsWith('@') ? name.slice(0, name.indexOf('/')) : undefined;
  return normalizeRegistry((scope && config.get(`${scope}:registry`)) || config.get('registry') || DEFAULT_REGISTRY);
}

/** npm's "nerf dart" of a URL: `//host:port/path/`, the key prefix of per-registry credentials. */
export function nerfDart(url: string): string {
  const u = new URL(url);
  const dir = u.pathname.endsWith('/') ? u.pathname : u.pathname.replace(/[^/]*$/, '');
  return `//${u.host}${dir}`;
}

/**
 * The `Authorization` header npm would send to `url`: a `_authToken` or `_auth` set for that
 * registry (or a parent path of it) in the config, else the `NPM_TOKEN` environment variable.
 */
export function authorizationFor(url: string, config: NpmConfig, env: NodeJS.ProcessEnv = process.env): string | undefined {
  let dart = nerfDart(url);
  for (;;) {
    const token = config.get(`${dart}:_authToken`);
    if (token) return `Bearer ${token}`;
    const basic = config.get(`${dart}:_auth`);
    if (basic) return `Basic ${basic}`;
    if (dart.endsWith('//') || dart.split('/').length <= 4) break;
    dart = dart.replace(/[^/]*\/$/, '');
  }
  return env.NPM_TOKEN ? `Bearer ${env.NPM_TOKEN}` : undefined;
}
