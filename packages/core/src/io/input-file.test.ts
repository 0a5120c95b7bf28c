import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readInputFile } from './input-file.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'effnet-input-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('readInputFile', () => {
  it('reads a regular file, also through a link', async () => {
    const file = path.join(dir, 'a.bin');
    await writeFile(file, new Uint8Array([1, 2, 3]));
    await symlink(file, path.join(dir, 'link.bin'));
    expect([...(await readInputFile(path.join(dir, 'link.bin')))]).toEqual([1, 2, 3]);
  });

  it('refuses a missing file, a folder and a file over the limit before reading', async () => {
    await expect(readInputFile(path.join(dir, 'nope.npy'), { what: 'input file' })).rejects.toThrow(/nope\.npy: input file not found$/);
    await expect(readInputFile(dir)).rejects.toThrow(/: is not a regular file \(expected a file, got a folder\)$/);
    await writeFile(path.join(dir, 'big.json'), 'x'.repeat(100));
    await expect(readInputFile(path.join(dir, 'big.json'), { maxBytes: 10, code: 'INVALID_CONFIG' })).rejects.toMatchObject({ code: 'INVALID_CONFIG', message: expect.stringMatching(/big\.json: is larger than effnet reads \(expected at most 10 bytes, got 100 bytes\)/) });
  });

  it.runIf(existsSync('/dev/zero'))('refuses a device such as /dev/zero instead of reading it without end', async () => {
    await symlink('/dev/zero', path.join(dir, 'zero.safetensors'));
    await expect(readInputFile(path.join(dir, 'zero.safetensors'))).rejects.toThrow(/zero\.safetensors: is not a regular file \(expected a file, got a device, pipe or socket\)/);
  });
});
