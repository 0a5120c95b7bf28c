import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integrityOf, verifyIntegrity } from './integrity.js';
import { readPackageTarball, safeEntryPath } from './tar-reader.js';
import { makeTarball } from './test-support/tar-writer.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'effnet-tar-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('readPackageTarball', () => {
  it('reads what `npm pack` writes, stripping the top folder', async () => {
    const pkg = path.join(dir, 'pkg');
    await mkdir(path.join(pkg, 'deep/er'), { recursive: true });
    await writeFile(path.join(pkg, 'package.json'), JSON.stringify({ name: 'tar-probe', version: '1.2.3' }));
    const long = `${'x'.repeat(120)}.txt`;
    await writeFile(path.join(pkg, 'deep/er', long), 'long name');
    await writeFile(path.join(pkg, 'weights.bin'), Buffer.alloc(70_000, 7));
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: pkg, encoding: 'utf8' });
    const { filename } = (JSON.parse(out) as { filename: string }[])[0]!;
    const files = readPackageTarball(await readFile(path.join(dir, filename)));
    const byPath = new Map(files.map((f) => [f.path, f.data]));
    expect([...byPath.keys()].sort()).toEqual([`deep/er/${long}`, 'package.json', 'weights.bin']);
    expect(Buffer.from(byPath.get(`deep/er/${long}`)!).toString()).toBe('long name');
    expect(byPath.get('weights.bin')!.length).toBe(70_000);
    expect(byPath.get('weights.bin')!.every((b) => b === 7)).toBe(true);
  });

  it.each([
    ['package/../../escape.txt', /climbs out of its folder/],
    ['../escape.txt', /climbs out of its folder/],
    ['/etc/escape.txt', /is absolute/],
    ['C:/escape.txt', /is absolute/],
    ['package\\..\\escape.txt', /backslash/],
  ])('refuses the whole tarball when an entry is %s', (bad, message) => {
    const tgz = makeTarball([{ path: 'package/package.json', data: '{}' }, { path: bad, data: 'x' }]);
    expect(() => readPackageTarball(tgz, 'evil.tgz')).toThrow(message);
  });

  it('refuses symbolic and hard links, wherever they point', () => {
    const symlink = makeTarball([{ path: 'package/model.json', type: '2', linkTarget: '/etc/passwd' }]);
    expect(() => readPackageTarball(symlink, 'evil.tgz')).toThrow(/evil.tgz: package\/model.json: holds a link.*symbolic link/);
    const inside = makeTarball([{ path: 'package/a', data: 'a' }, { path: 'package/b', type: '1', linkTarget: 'package/a' }]);
    expect(() => readPackageTarball(inside, 'evil.tgz')).toThrow(/hard link/);
  });

  it('refuses a path hidden in a pax header', () => {
    const tgz = makeTarball([{ path: `package/${'a/'.repeat(60)}../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../escape` }]);
    expect(() => readPackageTarball(tgz)).toThrow(/climbs out/);
  });

  it('refuses corrupt data', () => {
    const tgz = makeTarball([{ path: 'package/a', data: 'a' }]);
    expect(() => readPackageTarball(tgz.subarray(0, tgz.length - 20))).toThrow(/not a gzipped tarball/);
    expect(() => readPackageTarball(new Uint8Array([1, 2, 3]))).toThrow(/not a gzipped tarball/);
  });

  it('safeEntryPath keeps ordinary paths', () => {
    expect(safeEntryPath('package/a/./b.txt', 'f')).toBe('a/b.txt');
    expect(safeEntryPath('package/', 'f')).toBeNull();
  });
});

describe('verifyIntegrity', () => {
  const bytes = new TextEncoder().encode('model bytes');
  it('accepts the sha512 of the bytes and refuses any other', () => {
    expect(() => verifyIntegrity(bytes, integrityOf(bytes), 'pkg')).not.toThrow();
    expect(() => verifyIntegrity(bytes, `sha1-abc ${integrityOf(bytes)}`, 'pkg')).not.toThrow();
    const other = integrityOf(new TextEncoder().encode('other bytes'));
    expect(() => verifyIntegrity(bytes, other, 'pkg')).toThrow(/pkg: dist.integrity: does not match/);
  });
  it('refuses a missing or sha1-only integrity', () => {
    expect(() => verifyIntegrity(bytes, undefined, 'pkg')).toThrow(/no sha-2 integrity/);
    expect(() => verifyIntegrity(bytes, 'sha1-AAAA', 'pkg')).toThrow(/no sha-2 integrity/);
  });
});
