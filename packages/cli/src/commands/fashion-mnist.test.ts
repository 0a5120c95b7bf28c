import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCleanError, runEffnet } from '../test-support/run-effnet.js';
import { clearPreviousRun, RUN_ENTRIES } from './fashion-mnist.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'effnet-fmnist-out-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe('fashion-mnist --out never deletes a user\'s files', () => {
  it('refuses a folder holding a file the run did not write, and keeps it', async () => {
    const out = path.join(tmp, 'mine');
    await mkdir(out);
    await writeFile(path.join(out, 'thesis.tex'), 'years of work');
    await writeFile(path.join(out, 'schedule.json'), '{}');
    const r = await runEffnet(['fashion-mnist', '--out', out, '--epochs', '1', '--limit', '64', '--backend', 'cpu']);
    expectCleanError(r, /mine: --out: holds files that a run of fashion-mnist did not write; refusing to replace it .*got thesis\.tex\)/);
    expect(await readFile(path.join(out, 'thesis.tex'), 'utf8')).toBe('years of work');
    expect((await readdir(out)).sort()).toEqual(['schedule.json', 'thesis.tex']);
  });

  it('refuses a file named as --out', async () => {
    const file = path.join(tmp, 'a-file');
    await writeFile(file, 'keep');
    await expect(clearPreviousRun(file)).rejects.toThrow(/a-file: --out: is a file, not a folder/);
    expect(await readFile(file, 'utf8')).toBe('keep');
  });

  it('clears a previous run (with an interrupted write\'s leftovers) but not its lock, and accepts a missing or empty folder', async () => {
    const out = path.join(tmp, 'previous');
    await mkdir(out);
    for (const e of RUN_ENTRIES) {
      if (e.includes('.')) await writeFile(path.join(out, e), 'x');
      else await mkdir(path.join(out, e, 'inner'), { recursive: true });
    }
    await mkdir(path.join(out, '.checkpoint.tmp-123-abc9'));
    await clearPreviousRun(out);
    // The run's own lock (taken before clearing) stays.
    expect(await readdir(out)).toEqual(['.effnet.lock']);
    await clearPreviousRun(out);
    await clearPreviousRun(path.join(tmp, 'missing'));
    expect(existsSync(path.join(tmp, 'missing'))).toBe(false);
  });
});
