import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integrityOf } from './integrity.js';
import { pullVariant } from './pull-variant.js';
import { makeTarball } from './test-support/tar-writer.js';

// A registry that answers with documents a hostile or broken registry could send. It is the
// environment of `pullVariant`, not the code under test: every answer is a real HTTP response.
const answers = new Map<string, { status?: number; body: string | Uint8Array }>();
let server: Server;
let registry: string;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'effnet-hostile-registry-'));
  server = createServer((req, res) => {
    const answer = answers.get(decodeURIComponent(req.url ?? ''));
    res.statusCode = answer ? (answer.status ?? 200) : 404;
    res.end(answer?.body ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  registry = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await rm(work, { recursive: true, force: true });
});

/** Everything under `dir`, as paths relative to it. */
async function tree(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { recursive: true });
  return entries.map(String).sort();
}

function packument(name: string, version: string, tarball: Uint8Array, tag = version): string {
  const file = `/${name}/-/pkg.tgz`;
  answers.set(file, { body: tarball });
  return JSON.stringify({
    name,
    'dist-tags': { latest: tag },
    versions: { [version]: { name, version, dist: { tarball: `${registry.slice(0, -1)}${file}`, integrity: integrityOf(tarball) } } },
  });
}

describe('pull from a hostile registry', () => {
  it('refuses a version that is a path, and writes nothing outside the cache (or in it)', async () => {
    const name = '@effnet-test/vt';
    const version = '../../../../escape/vt/1.0.0';
    const tgz = makeTarball([
      { path: 'package/package.json', data: JSON.stringify({ name, version }) },
      { path: 'package/variant.json', data: '{}' },
    ]);
    answers.set(`/${name}`, { body: packument(name, version, tgz) });
    const cacheDir = path.join(work, 'a', 'b', 'c', 'd', 'cache');
    await mkdir(cacheDir, { recursive: true });
    const before = await tree(work);
    const error = await pullVariant(name, { registry, cacheDir, skipInstalled: true }).then(() => undefined, (e: Error) => e);
    expect(error?.name).toBe('EffnetError');
    expect(error?.message).toMatch(/@effnet-test\/vt: dist-tags\.latest: the registry lists a version that is not a plain semver version .*got \.\.\/\.\.\/\.\.\/\.\.\/escape\/vt\/1\.0\.0\)/);
    expect(await tree(work)).toEqual(before);
    expect(existsSync(path.join(work, 'a', 'escape'))).toBe(false);
  });

  it('refuses a version key whose entry names another version, through a semver range', async () => {
    const name = '@effnet-test/mismatch';
    const tgz = makeTarball([{ path: 'package/package.json', data: '{}' }]);
    const doc = JSON.parse(packument(name, '1.0.0', tgz)) as { versions: Record<string, { version: string }> };
    doc.versions['1.0.0']!.version = '../1.0.0';
    answers.set(`/${name}`, { body: JSON.stringify(doc) });
    const cacheDir = path.join(work, 'mismatch-cache');
    await expect(pullVariant(`${name}@^1`, { registry, cacheDir, skipInstalled: true })).rejects.toThrow(/versions: the registry lists a version that is not a plain semver version/);
    expect(await tree(cacheDir)).toEqual([]);
  });

  it.each([
    ['a document that is not JSON', '<html>proxy error</html>', /sent a package document that is not JSON/],
    ['versions that are null', JSON.stringify({ name: 'x', versions: null }), /versions: sent no versions .*expected an object, got object\)/],
    ['dist-tags that are an array', JSON.stringify({ name: 'x', versions: {}, 'dist-tags': ['1.0.0'] }), /dist-tags: sent dist-tags that are not an object/],
    ['a version without dist', JSON.stringify({ name: 'x', 'dist-tags': { latest: '1.0.0' }, versions: { '1.0.0': { version: '1.0.0' } } }), /versions\.1\.0\.0\.dist\.tarball: lists a version without a tarball/],
    ['a tag naming an inherited property', JSON.stringify({ name: 'x', 'dist-tags': { latest: 'constructor' }, versions: {} }), /no version of @effnet-test\/broken-\d+ matches/],
  ])('answers %s with one line, no trace', async (_what, body, message) => {
    const name = `@effnet-test/broken-${answers.size}`;
    answers.set(`/${name}`, { body });
    const error = await pullVariant(name, { registry, cacheDir: path.join(work, 'broken-cache'), skipInstalled: true }).then(() => undefined, (e: Error) => e);
    expect(error?.name).toBe('EffnetError');
    expect(error?.message).toMatch(message);
    expect(error?.message).not.toContain('\n');
  });

  it('refuses a registry that is not an http(s) address, in one line, before any request', async () => {
    for (const bad of ['notaurl', 'file:///etc/', 'ftp://example.com/']) {
      const error = await pullVariant('@effnet-test/vt', { registry: bad, cacheDir: path.join(work, 'never'), skipInstalled: true }).then(() => undefined, (e: Error) => e);
      expect(error?.name).toBe('EffnetError');
      expect(error?.message).toMatch(/^registry: is not a registry address \(expected an http:\/\/ or https:\/\/ URL, got /);
    }
    expect(existsSync(path.join(work, 'never'))).toBe(false);
  });
});
