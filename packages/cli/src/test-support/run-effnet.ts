import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { REPO_ROOT } from '../../../core/src/test-support/paths.js';

const run = promisify(execFile);

/** The built `effnet` command the end-to-end tests run. */
export const BIN = path.join(REPO_ROOT, 'packages/cli/dist/bin.js');

/** How a command ended and what it printed. */
export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/bin.js ...args`; never throws for a non-zero exit. */
export async function runEffnet(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Result> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { ...options, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/**
 * What native TensorFlow 2.21 (a tfjs-node built by `effnet backend setup --from-python`) writes to
 * stderr while it loads, before any setting of ours can reach its logger (`TF_CPP_MIN_LOG_LEVEL`
 * does not apply then): not effnet's output.
 */
const TENSORFLOW_LOAD_LINES = [/^WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR$/, /^I0000 [\d:. ]+port\.cc:\d+\] oneDNN custom operations are on\./];

/** A failed command: exit code 1 and exactly one line on stderr, no stack trace; returns that line. */
export function expectCleanError(r: Result, pattern: RegExp): string {
  expect(r.code).toBe(1);
  const lines = r.stderr.trim().split('\n').filter((l) => !TENSORFLOW_LOAD_LINES.some((re) => re.test(l)));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^effnet: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}
