import { spawn } from 'node:child_process';

/** What an npm command printed and how it ended. */
export interface NpmRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the npm CLI: the one running this process when there is one (`npm_execpath`), else `npm`
 * from the PATH.
 */
export function runNpm(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<NpmRun> {
  const env = options.env ?? process.env;
  const execPath = env.npm_execpath;
  const [command, prefix] = execPath && /npm-cli\.[cm]?js$/.test(execPath) ? [process.execPath, [execPath]] : [process.platform === 'win32' ? 'npm.cmd' : 'npm', []];
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...prefix, ...args], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** npm's error code (`E403`, `ENEEDAUTH`, ...; empty when it printed none) and its first error lines, from its stderr. */
export function npmErrorSummary(stderr: string): { code: string; message: string } {
  const code = /npm (?:error|ERR!) code (\S+)/.exec(stderr)?.[1] ?? '';
  const lines = stderr
    .split('\n')
    .filter((l) => /^npm (?:error|ERR!)/.test(l))
    .map((l) => l.replace(/^npm (?:error|ERR!)\s*/, '').trim())
    .filter((l, i, all) => l && !l.startsWith('code ') && !l.startsWith('A complete log') && !/^\/.*\.log$/.test(l) && all.indexOf(l) === i);
  return { code, message: lines.slice(0, 2).join(' ') || 'npm failed' };
}
