#!/usr/bin/env node
// The hostile-input harness (`npm run fuzz`): builds the corpus (scripts/fuzz/generate.mjs) in a
// temporary folder, runs every case as a child `effnet` process (packages/cli/dist/bin.js) with a
// time limit and a memory cap, grades it (scripts/fuzz/grade.mjs), prints a table per reader and
// writes every result to out/fuzz/results.json (results-quick.json with --quick). Exits 1 when any
// case is bad.
//
//   node scripts/fuzz/run.mjs [--quick] [--only safetensors,npy,...] [--jobs N] [--seed N]
//       [--timeout SECONDS] [--memory MIB] [--keep] [--results FILE] [--bin PATH]
//
// --bin grades another build of the command (e.g. an older checkout's packages/cli/dist/bin.js)
// on the same corpus.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateCorpus, READERS } from './generate.mjs';
import { BAD_KINDS, changes, gradeCase, snapshot } from './grade.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    only: { type: 'string' },
    jobs: { type: 'string' },
    seed: { type: 'string' },
    timeout: { type: 'string', default: '20' },
    memory: { type: 'string', default: '1536' },
    keep: { type: 'boolean' },
    results: { type: 'string' },
    bin: { type: 'string' },
  },
});
const BIN = opts.bin ? resolve(opts.bin) : join(root, 'packages/cli/dist/bin.js');
const readers = opts.only ? opts.only.split(',') : READERS;
for (const r of readers) if (!READERS.includes(r)) throw new Error(`unknown reader ${r} (known: ${READERS.join(', ')})`);
const jobs = Number(opts.jobs ?? Math.max(1, Math.min(4, os.availableParallelism())));
const timeoutMs = Number(opts.timeout) * 1000;
const memoryCapMb = Number(opts.memory);
const resultsFile = resolve(root, opts.results ?? `out/fuzz/${opts.quick ? 'results-quick' : 'results'}.json`);

if (!existsSync(BIN)) {
  console.error(`${BIN} is missing: build the packages first (npm run build)`);
  process.exit(2);
}

/** Resident memory of a process in MiB (Linux), or 0 where /proc is not there. */
async function rssMb(pid) {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Runs one case's command in its work folder; never rejects. */
function runCommand(c, caseDir) {
  const limit = c.timeoutMs ?? timeoutMs;
  const env = { ...process.env, EFFNET_CACHE: join(caseDir, 'cache'), NO_COLOR: '1' };
  for (const k of Object.keys(env)) if (k === 'NODE_OPTIONS' || k.startsWith('VITEST')) delete env[k];
  return new Promise((done) => {
    const started = Date.now();
    const child = spawn(process.execPath, [`--max-old-space-size=${Math.floor(memoryCapMb * 0.75)}`, BIN, ...c.args], {
      cwd: join(caseDir, 'work'),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const out = { stdout: '', stderr: '', timedOut: false, overMemory: false, peakRssMb: 0, timeoutMs: limit, memoryCapMb };
    const cap = (s, chunk) => (s.length < 8 << 20 ? s + chunk : s);
    child.stdout.setEncoding('utf8').on('data', (d) => { out.stdout = cap(out.stdout, d); });
    child.stderr.setEncoding('utf8').on('data', (d) => { out.stderr = cap(out.stderr, d); });
    const kill = () => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => { out.timedOut = true; kill(); }, limit);
    const watch = setInterval(async () => {
      const mb = await rssMb(child.pid);
      out.peakRssMb = Math.max(out.peakRssMb, mb);
      if (mb > memoryCapMb) { out.overMemory = true; kill(); }
    }, 50);
    child.on('error', (e) => { out.stderr += String(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(watch);
      done({ ...out, code, signal, ms: Date.now() - started });
    });
  });
}

const quote = (a) => (a === '' ? "''" : /[^\w@%+=:,./-]/.test(a) ? `'${a.replace(/'/g, "'\\''")}'` : a);

const t0 = Date.now();
const corpusDir = await mkdtemp(join(os.tmpdir(), 'effnet-fuzz-'));
const cases = await generateCorpus(corpusDir, { quick: !!opts.quick, readers, ...(opts.seed ? { seed: Number(opts.seed) } : {}) });
const generated = Date.now();
const core = await import('@effnet/core');

const results = new Array(cases.length);
let next = 0;
let finished = 0;
const progress = process.stderr.isTTY;
async function worker() {
  while (next < cases.length) {
    const i = next++;
    const c = cases[i];
    const caseDir = join(corpusDir, c.id);
    const before = await snapshot(caseDir);
    const run = await runCommand(c, caseDir);
    const written = changes(before, await snapshot(caseDir));
    const g = await gradeCase(c, run, written, caseDir, core);
    const stderrLines = run.stderr.split('\n').filter((l) => l.trim());
    results[i] = {
      id: c.id,
      reader: c.reader,
      mutation: c.mutation,
      expect: c.expect,
      command: ['effnet', ...c.args.map(quote)].join(' '),
      grade: g.grade,
      kind: g.kind,
      ...(g.detail && g.grade === 'bad' ? { detail: g.detail } : {}),
      exitCode: run.code,
      ...(run.signal ? { signal: run.signal } : {}),
      ms: run.ms,
      peakRssMb: Math.round(run.peakRssMb),
      stderr: (stderrLines[0] ?? '').slice(0, 500),
    };
    finished++;
    if (progress) process.stderr.write(`\r${finished}/${cases.length} ${c.id.slice(0, 70).padEnd(70)}`);
  }
}
await Promise.all(Array.from({ length: jobs }, worker));
if (progress) process.stderr.write('\r'.padEnd(90) + '\r');

// The report.
const rows = readers.map((reader) => {
  const mine = results.filter((r) => r.reader === reader);
  const count = (kind) => mine.filter((r) => r.kind === kind).length;
  return { reader, cases: mine.length, good: mine.filter((r) => r.grade === 'good').length, bad: mine.filter((r) => r.grade === 'bad').length, count };
});
const kindsSeen = BAD_KINDS.filter((k) => results.some((r) => r.kind === k));
const header = ['reader', 'cases', 'good', 'refused', 'usage', 'accepted', 'bad', ...kindsSeen];
const table = [
  `| ${header.join(' | ')} |`,
  `|${header.map((h, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
  ...rows.map((r) => `| ${[r.reader, r.cases, r.good, r.count('refused'), r.count('usage-error'), r.count('accepted'), r.bad, ...kindsSeen.map((k) => r.count(k))].join(' | ')} |`),
  `| **total** | ${[results.length, ...['good', 'refused', 'usage-error', 'accepted', 'bad', ...kindsSeen].map((k) => (k === 'good' || k === 'bad' ? results.filter((r) => r.grade === k).length : results.filter((r) => r.kind === k).length))].join(' | ')} |`,
];
const bad = results.filter((r) => r.grade === 'bad');
console.log(`\n## effnet hostile-input harness${opts.quick ? ' (quick)' : ''}\n`);
console.log(table.join('\n'));
if (bad.length) {
  console.log(`\n### bad cases (${bad.length})\n`);
  for (const r of bad) console.log(`- **${r.kind}** ${r.id}: \`${r.command}\`\n  ${r.detail ?? r.stderr}`);
}
const seconds = (ms) => (ms / 1000).toFixed(1);
console.log(`\n${results.length} cases in ${seconds(Date.now() - t0)} s (corpus ${seconds(generated - t0)} s, ${jobs} at a time); results: ${resultsFile}`);

await mkdir(dirname(resultsFile), { recursive: true });
await writeFile(resultsFile, `${JSON.stringify({ quick: !!opts.quick, seconds: (Date.now() - t0) / 1000, summary: rows.map(({ count, ...r }) => ({ ...r, kinds: Object.fromEntries([...new Set(results.filter((x) => x.reader === r.reader).map((x) => x.kind))].map((k) => [k, count(k)])) })), cases: results }, null, 1)}\n`);
if (opts.keep) console.log(`corpus kept in ${corpusDir}`);
else await rm(corpusDir, { recursive: true, force: true });
process.exitCode = bad.length ? 1 : 0;
