import { EffnetError } from '@effnet/core';
import semver from 'semver';
import type { PackageSpec } from './package-spec.js';

/** One version's entry in a registry packument. */
export interface PackumentVersion {
  name: string;
  version: string;
  dist: { tarball: string; integrity?: string; shasum?: string };
  [key: string]: unknown;
}

/** A registry's document about one package: every version and the dist-tags. */
export interface Packument {
  name: string;
  versions: Record<string, PackumentVersion>;
  'dist-tags': Record<string, string>;
}

/** How to talk to a registry. */
export interface RegistryAccess {
  /** Registry URL with a trailing slash. */
  registry: string;
  /** `Authorization` header for the registry's host, if any. */
  authorization?: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function headersFor(url: string, access: RegistryAccess): Record<string, string> {
  // Credentials go only to the registry's own host, never to a tarball host elsewhere.
  const sameHost = new URL(url).host === new URL(access.registry).host;
  return access.authorization && sameHost ? { authorization: access.authorization } : {};
}

async function get(url: string, access: RegistryAccess, accept: string): Promise<Response> {
  try {
    return await fetch(url, { headers: { accept, ...headersFor(url, access) } });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new EffnetError('REGISTRY_UNREACHABLE', `cannot reach the registry: ${cause?.code ?? cause?.message ?? (e as Error).message}`, { file: url });
  }
}

/** Fetches a package's packument; a missing package is an error that names it and the registry. */
export async function fetchPackument(name: string, access: RegistryAccess): Promise<Packument> {
  const url = `${access.registry}${name.replace('/', '%2f')}`;
  const res = await get(url, access, 'application/json');
  if (res.status === 404) throw new EffnetError('NOT_FOUND', `no package ${name} on this registry`, { file: access.registry });
  if (res.status === 401 || res.status === 403) {
    throw new EffnetError('NO_CREDENTIALS', `the registry refused to list ${name} (HTTP ${res.status}); log in with npm login or set NPM_TOKEN`, { file: access.registry });
  }
  if (!res.ok) throw new EffnetError('REGISTRY_ERROR', `answered HTTP ${res.status} for ${name}`, { file: access.registry });
  let doc: Packument;
  try {
    doc = JSON.parse(await res.text()) as Packument;
  } catch (e) {
    throw new EffnetError('REGISTRY_ERROR', `sent a package document that is not JSON: ${(e as Error).message}`, { file: url });
  }
  if (!isRecord(doc) || !isRecord(doc.versions)) throw new EffnetError('REGISTRY_ERROR', `sent no versions for ${name}`, { file: url, field: 'versions', expected: 'an object', actual: typeof doc?.versions });
  const tags = doc['dist-tags'] ?? {};
  if (!isRecord(tags)) throw new EffnetError('REGISTRY_ERROR', `sent dist-tags that are not an object for ${name}`, { file: url, field: 'dist-tags', expected: 'an object', actual: typeof tags });
  return { name: doc.name, versions: doc.versions, 'dist-tags': tags as Record<string, string> };
}

/** The version a spec resolves to: a dist-tag's version, or the highest version in the range. */
export function pickVersion(packument: Packument, spec: PackageSpec): PackumentVersion {
  const available = Object.keys(packument.versions);
  const version = spec.isTag ? packument['dist-tags'][spec.range] : semver.maxSatisfying(available, spec.range);
  const found = typeof version === 'string' && Object.hasOwn(packument.versions, version) ? packument.versions[version] : undefined;
  if (found && !isRecord(found)) throw new EffnetError('REGISTRY_ERROR', 'lists a version entry that is not an object', { file: spec.name, field: `versions.${version}`, expected: 'an object', actual: typeof found });
  if (found && (semver.valid(version) !== version || (found as { version?: unknown }).version !== version)) {
    throw new EffnetError('REGISTRY_ERROR', 'the registry lists a version that is not a plain semver version', {
      file: spec.name,
      field: spec.isTag ? `dist-tags.${spec.range}` : 'versions',
      expected: 'x.y.z, the same as the entry\'s own version field',
      actual: version,
    });
  }
  if (found && (!isRecord(found.dist) || typeof found.dist.tarball !== 'string')) {
    throw new EffnetError('REGISTRY_ERROR', 'lists a version without a tarball', { file: spec.name, field: `versions.${version}.dist.tarball`, expected: 'a URL', actual: isRecord(found.dist) ? typeof found.dist.tarball : typeof found.dist });
  }
  if (!found) {
    throw new EffnetError('NO_MATCHING_VERSION', `no version of ${spec.name} matches`, {
      field: spec.range,
      expected: spec.isTag ? `one of the tags ${Object.keys(packument['dist-tags']).join(', ')}` : `one of ${available.join(', ') || '(none)'}`,
      actual: spec.range,
    });
  }
  return found;
}

/** Downloads a tarball's bytes. */
export async function downloadTarball(url: string, access: RegistryAccess): Promise<Uint8Array> {
  const res = await get(url, access, 'application/octet-stream');
  if (!res.ok) throw new EffnetError('REGISTRY_ERROR', `answered HTTP ${res.status} for the tarball`, { file: url });
  return new Uint8Array(await res.arrayBuffer());
}
