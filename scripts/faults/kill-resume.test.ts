// Heavy suite: `effnet train` killed with SIGKILL at 6 chosen moments and 20 random ones, then
// resumed until done, ends with the uninterrupted run's weights and metrics bit for bit
// (kill-resume.mjs, see there).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'kill-resume.mjs');

it('every killed and resumed run equals the uninterrupted one', () => {
  const r = spawnSync(process.execPath, [script, '--random', '20'], { encoding: 'utf8', timeout: 30 * 60_000 });
  process.stdout.write(r.stdout);
  if (r.stderr) process.stderr.write(r.stderr);
  expect(r.stdout).toMatch(/kill-resume: 26 scenarios, \d+ kills, 0 differing/);
  expect(r.status).toBe(0);
});
