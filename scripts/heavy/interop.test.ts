// Heavy suite (npm run test:heavy): effnet against the real Keras and timm in Python, run by
// interop.mjs (see there). Checks whose Python or packages are missing are skipped, saying why;
// under CI=true they fail (interop.mjs installs the packages first), so nothing skips there.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'interop.mjs');

it('Keras and timm load effnet exports and give the same outputs; timm -> effnet -> timm is bit-exact', () => {
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 30 * 60_000 });
  process.stdout.write(r.stdout);
  if (r.stderr) process.stderr.write(r.stderr);
  expect(r.stdout).toMatch(process.env.CI === 'true' ? /heavy interop: \d+ passed, 0 failed, 0 skipped/ : /heavy interop: \d+ passed, 0 failed, \d+ skipped/);
  expect(r.status).toBe(0);
});
