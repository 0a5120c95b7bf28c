// The quick subset of the hostile-input harness (scripts/fuzz/run.mjs --quick), run by npm test:
// about 75 hostile files and flags through the built `effnet` command, every one graded good.
// The full corpus is the heavy test fuzz-full.test.ts (npm run test:heavy) and `npm run fuzz`.
import { expect, it } from 'vitest';
import { runHarness } from './run-harness.js';

it('the quick hostile-input corpus has no bad case', async () => {
  const r = await runHarness(['--quick'], 170_000);
  if (r.status !== 0) process.stdout.write(r.stdout + r.stderr);
  expect(r.stdout).toMatch(/\| \*\*total\*\* \| \d+ \|/);
  expect(r.status).toBe(0);
}, 180_000);
