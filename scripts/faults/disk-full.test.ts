// Heavy suite (root: it mounts a tmpfs): every writing command with its output on a full disk and
// on a read-only mount ends with one line naming the path, exit 1, and leaves the mount as it
// was (disk-full.mjs, see there).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'disk-full.mjs');

it('every writing command fails cleanly on a full disk and on a read-only mount', () => {
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 20 * 60_000 });
  process.stdout.write(r.stdout);
  if (r.stderr) process.stderr.write(r.stderr);
  expect(r.stdout).toMatch(/disk-full: 10 writing commands x 2 \(disk full, read-only\), 0 failing/);
  expect(r.status).toBe(0);
});
