import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_FILE, lockFolder } from './folder-lock.js';
import { processAlive, recoverDir, writeDirAtomic } from './node-fs.js';

let tmp: string;
/** The pid of a process that has exited. */
let deadPid: number;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'effnet-lock-'));
  deadPid = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

async function folderWith(dir: string, text: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'model.json'), text);
}

describe('recovering an interrupted folder write', () => {
  it('a writer killed between its two renames: the complete new folder goes into place', async () => {
    const parent = path.join(tmp, 'between');
    await folderWith(path.join(parent, `.model.old-${deadPid}-abc`), 'old');
    await folderWith(path.join(parent, `.model.tmp-${deadPid}-abc`), 'new');
    expect(processAlive(deadPid)).toBe(false);
    const done = await recoverDir(path.join(parent, 'model'));
    expect(done).toHaveLength(2);
    expect(await readFile(path.join(parent, 'model', 'model.json'), 'utf8')).toBe('new');
    expect(await readdir(parent)).toEqual(['model']);
  });

  it('only the previous folder left: it is put back; a killed writer\'s unfinished folder is removed', async () => {
    const parent = path.join(tmp, 'previous');
    await folderWith(path.join(parent, `.model.old-${deadPid}-abc`), 'old');
    await folderWith(path.join(parent, `.model.tmp-${deadPid}-xyz`), 'half');
    await recoverDir(path.join(parent, 'model'));
    expect(await readFile(path.join(parent, 'model', 'model.json'), 'utf8')).toBe('old');
    expect(await readdir(parent)).toEqual(['model']);
  });

  it('leaves a live writer\'s folders and the target alone; the next write cleans a dead one\'s', async () => {
    const parent = path.join(tmp, 'live');
    await folderWith(path.join(parent, 'model'), 'current');
    await folderWith(path.join(parent, `.model.tmp-${process.pid}-live`), 'writing');
    await folderWith(path.join(parent, `.model.tmp-${deadPid}-dead`), 'half');
    await folderWith(path.join(parent, `.other.tmp-${deadPid}-dead`), 'not ours');
    await recoverDir(path.join(parent, 'model'));
    expect((await readdir(parent)).sort()).toEqual([`.model.tmp-${process.pid}-live`, `.other.tmp-${deadPid}-dead`, 'model']);
    expect(await readFile(path.join(parent, 'model', 'model.json'), 'utf8')).toBe('current');
    await writeDirAtomic(path.join(parent, 'other'), (dir) => writeFile(path.join(dir, 'model.json'), 'fresh'), async () => true);
    expect(existsSync(path.join(parent, `.other.tmp-${deadPid}-dead`))).toBe(false);
  });
});

describe('folder locks', () => {
  it('a second writer is refused, naming the holder; the same process may nest; release removes the file', async () => {
    const dir = path.join(tmp, 'locked');
    await mkdir(dir);
    await writeFile(path.join(dir, LOCK_FILE), JSON.stringify({ pid: process.ppid, host: hostname(), command: 'effnet train', since: '2026-01-01T00:00:00.000Z' }));
    await expect(lockFolder(dir, 'effnet fashion-mnist')).rejects.toThrow(new RegExp(`locked: is being written by another run.*expected no other writer, got pid ${process.ppid} on .* \\(effnet train\\)`));
    await rm(path.join(dir, LOCK_FILE));
    const release = await lockFolder(dir, 'first');
    const nested = await lockFolder(dir, 'nested');
    await nested();
    expect(JSON.parse(await readFile(path.join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, command: 'first' });
    await release();
    await release();
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
  });

  it('takes over the lock of a killed writer; refuses a file as the folder', async () => {
    const dir = path.join(tmp, 'stale');
    await mkdir(dir);
    await writeFile(path.join(dir, LOCK_FILE), JSON.stringify({ pid: deadPid, host: hostname(), command: 'killed', since: 'then' }));
    const release = await lockFolder(dir, 'next');
    expect(JSON.parse(await readFile(path.join(dir, LOCK_FILE), 'utf8')).command).toBe('next');
    await release();
    const file = path.join(tmp, 'a-file');
    await writeFile(file, 'x');
    await expect(lockFolder(file, 'x')).rejects.toThrow(/a-file: is a file, not a folder/);
  });
});
