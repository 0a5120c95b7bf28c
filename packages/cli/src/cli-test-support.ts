import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { REPO_ROOT } from '../../core/src/test-support/paths.js';

const run = promisify(execFile);

/** The built `effnet` command that the end-to-end tests spawn. */
export const BIN = path.join(REPO_ROOT, 'packages/cli/dist/bin.js');

/** Exit code and output of one `effnet` run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `effnet` command with `args`. */
export async function effnet(...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** A failed command: exit code 1 and exactly one line on stderr, no stack trace. */
export function expectCleanError(r: CliResult, pattern: RegExp): void {
  expect(r.code).toBe(1);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^effnet: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

/** Max |a - b| relative to max |b|. */
export function maxRelDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return d / m;
}
