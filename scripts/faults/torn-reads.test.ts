// Heavy suite: 4 processes x 200 `loadModel` calls and 2 x 20 `effnet predict` runs on a model
// folder that another process re-saves all the while, alternating two models: every read gets one
// of them whole (torn-reads.mjs, see there).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'torn-reads.mjs');

it('readers during re-saves get the old model or the new one, never a mix', () => {
  const r = spawnSync(process.execPath, [script, '--readers', '4', '--loads', '200', '--predicts', '20'], { encoding: 'utf8', timeout: 30 * 60_000 });
  process.stdout.write(r.stdout);
  if (r.stderr) process.stderr.write(r.stderr);
  expect(r.stdout).toMatch(/torn-reads: 840 reads during \d+ saves, 0 mixed, 0 errors/);
  expect(r.status).toBe(0);
});
