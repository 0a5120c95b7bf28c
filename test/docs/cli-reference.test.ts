import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let work: string | undefined;

/** The parts of a commander command the reference shows (commander itself is the CLI's dependency). */
interface Command {
  name(): string;
  registeredArguments: readonly unknown[];
  options: readonly { flags: string }[];
  commands: readonly Command[];
}

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** Every command that takes arguments or options, with its full name (`effnet backend setup`). */
function commandPaths(cmd: Command, prefix: string): { name: string; cmd: Command }[] {
  const name = `${prefix} ${cmd.name()}`;
  const own = cmd.registeredArguments.length || cmd.options.length || !cmd.commands.length ? [{ name, cmd }] : [];
  return [...own, ...cmd.commands.flatMap((c) => commandPaths(c, name))];
}

describe('the generated CLI reference', () => {
  it('has a section for every command and subcommand, with every option', async () => {
    work = await mkdtemp(path.join(tmpdir(), 'effnet-cli-ref-'));
    const out = path.join(work, 'cli.md');
    await run(process.execPath, [path.join(REPO_ROOT, 'docs/scripts/cli-reference.mjs'), '--out', out]);
    const text = await readFile(out, 'utf8');
    const { buildProgram } = (await import(path.join(REPO_ROOT, 'packages/cli/dist/index.js'))) as { buildProgram: (io: unknown) => Command };
    const commands = buildProgram({ out: () => {}, err: () => {} }).commands.flatMap((c) => commandPaths(c, 'effnet'));
    expect(commands.map((c) => c.name)).toContain('effnet backend setup');
    const headings = [...text.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(headings).toEqual(commands.map((c) => c.name));
    for (const { name, cmd } of commands) {
      const section = text.slice(text.indexOf(`## ${name}\n`)).split(/\n## /)[0]!;
      for (const o of cmd.options) expect(section, `${name} ${o.flags}`).toContain(`\`${o.flags.replace(/\|/g, '\\|')}\``);
    }
  });
});
