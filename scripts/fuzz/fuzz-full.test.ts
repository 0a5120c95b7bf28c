// Heavy suite: the full hostile-input corpus (npm run fuzz), every case graded good.
import { expect, it } from 'vitest';
import { runHarness } from './run-harness.js';

it('the full hostile-input corpus has no bad case', async () => {
  const r = await runHarness([], 20 * 60_000);
  process.stdout.write(r.stdout);
  expect(r.stdout).toMatch(/\| \*\*total\*\* \| \d+ \|/);
  expect(r.status).toBe(0);
}, 21 * 60_000);
