import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDirAtomic, writeFileAtomic } from './node-fs.js';
import { checkOutputPath } from './output-path.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'effnet-output-'));
  await writeFile(path.join(dir, 'file.txt'), 'a file');
  await mkdir(path.join(dir, 'folder'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('checkOutputPath', () => {
  it('accepts new paths, existing targets of the same kind and missing parents', async () => {
    await checkOutputPath(path.join(dir, 'new', 'deeper', 'x.npy'), 'file');
    await checkOutputPath(path.join(dir, 'file.txt'), 'file');
    await checkOutputPath(path.join(dir, 'folder'), 'folder');
  });

  it('refuses an empty path, a target of the other kind and a path under a file, in one line', async () => {
    await expect(checkOutputPath('', 'folder')).rejects.toThrow(/^output: an output path must not be empty/);
    await expect(checkOutputPath(path.join(dir, 'folder'), 'file')).rejects.toThrow(/folder: exists and is not a file; refusing to replace it \(expected a file, got a folder\)$/);
    await expect(checkOutputPath(path.join(dir, 'file.txt'), 'folder')).rejects.toThrow(/file\.txt: exists and is not a folder; refusing to replace it \(expected a folder, got a file\)$/);
    await expect(checkOutputPath(path.join(dir, 'file.txt', 'sub', 'x.npy'), 'file')).rejects.toThrow(/x\.npy: cannot be written: .*file\.txt is a file, not a folder$/);
  });

  it('guards the atomic writers: nothing is written, no ENOTDIR or EISDIR escapes', async () => {
    await expect(writeFileAtomic(path.join(dir, 'folder'), 'x')).rejects.toMatchObject({ name: 'EffnetError', code: 'REFUSE_OVERWRITE' });
    await expect(writeFileAtomic(path.join(dir, 'file.txt', 'x.npy'), 'x')).rejects.toMatchObject({ name: 'EffnetError', code: 'NOT_A_FOLDER' });
    await expect(writeDirAtomic(path.join(dir, 'file.txt'), async () => {}, async () => true)).rejects.toMatchObject({ name: 'EffnetError', code: 'REFUSE_OVERWRITE' });
  });
});
