#!/usr/bin/env node
// Kill and resume: `effnet train` is killed with SIGKILL at random moments and at chosen ones
// (while a checkpoint, the model or the report is written, between a folder's two renames, during
// evaluation), then `--resume`d (and killed again at random) until it finishes. Every run must end
// with the final weights of the uninterrupted run bit for bit, the same per-step losses and epoch
// metrics, no leftover temporary folders, and its lock released.
//
//   node scripts/faults/kill-resume.mjs [--random 20] [--seed 7] [--json]
//
// Prints a table (scenario, kills, resumes, identical) and exits 1 when any run differs.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCHEDULE, writeTinyRun } from './tiny-run.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(root, 'packages/cli/dist/bin.js');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt);
const RANDOM_KILLS = Number(opt('random', '20'));
let state = Number(opt('seed', '7')) >>> 0;
const random = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);

if (!existsSync(BIN)) {
  console.error(`kill-resume: ${BIN} is missing; run npm run build first`);
  process.exit(1);
}

const work = await mkdtemp(path.join(tmpdir(), 'effnet-faults-'));
await writeTinyRun(work);

const trainArgs = (out) => ['train', '--data', path.join(work, 'data'), '--arch', path.join(work, 'tiny.json'), '--schedule', path.join(work, 'schedule.json'), '--out', out, '--batch-size', '8', '--lr', '0.02', '--warmup-epochs', '0.2', '--backend', 'cpu', '--seed', '3', '--validation', '16'];

/** Runs effnet; kills it with SIGKILL after `killAfterMs` when given. Resolves {code, signal, ms, stderr}. */
function run(cliArgs, { killAfterMs, env } = {}) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [BIN, ...cliArgs], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, ms: performance.now() - t0, stderr });
    });
  });
}

/** What must be identical: the final weights, per-step losses and epoch metrics (not timings). */
async function outcome(out) {
  const model = path.join(out, 'model');
  const shards = (await readdir(model)).filter((f) => f.endsWith('.bin')).sort();
  const weights = Buffer.concat(await Promise.all(shards.map((f) => readFile(path.join(model, f))))).toString('base64');
  const events = (await readFile(path.join(out, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  const steps = events.filter((e) => e.type === 'step').map((e) => [e.step, e.loss, e.accuracy, e.imageSize, e.learningRate]);
  const epochs = events.filter((e) => e.type === 'epoch').map((e) => [e.epoch, e.loss, e.accuracy, e.validationAccuracy, e.evalAccuracy, e.evalLoss]);
  return { weights, steps: JSON.stringify(steps), epochs: JSON.stringify(epochs) };
}

/** Entries no finished run may leave: temporary or previous folders, the lock. */
async function leftovers(out) {
  const found = [];
  for (const e of await readdir(out, { recursive: true })) {
    const name = path.basename(e);
    if (/\.(tmp|old)-\d+-[a-z0-9]+$/.test(name) || name === '.effnet.lock') found.push(e);
  }
  return found;
}

const base = path.join(work, 'uninterrupted');
const first = await run(trainArgs(base));
if (first.code !== 0) {
  console.error(`kill-resume: the uninterrupted run failed: ${first.stderr.trim().split('\n').pop()}`);
  process.exit(1);
}
const expected = await outcome(base);
const wholeMs = first.ms;
const EPOCHS = SCHEDULE.stages.at(-1).endEpoch;
const stepsPerEpoch = JSON.parse(expected.steps).length / EPOCHS;

/**
 * One scenario: the first run is killed (by a fault point, or after a random delay), then
 * `--resume` until it exits 0, each resumed attempt also killed at random with probability 1/2.
 */
async function scenario(name, firstKill, resumeEpoch) {
  const out = path.join(work, name.replace(/[^a-z0-9]+/gi, '-'));
  let kills = 0;
  let resumes = 0;
  let r = await run(trainArgs(out), firstKill);
  if (r.signal === 'SIGKILL') kills++;
  const problems = [];
  if (r.code !== 0 && r.signal !== 'SIGKILL') problems.push(`first run: exit ${r.code}: ${r.stderr.trim().split('\n').pop()}`);
  for (let attempt = 0; r.code !== 0 && attempt < 12 && !problems.length; attempt++) {
    resumes++;
    const checked = resumes === 1 && resumeEpoch !== undefined;
    const again = attempt < 4 && !checked && random() < 0.5 ? { killAfterMs: 300 + random() * wholeMs } : {};
    r = await run([...trainArgs(out), '--resume'], again);
    // A chosen kill must cost at most the epoch it interrupted: the first resume continues from
    // the newest complete checkpoint, never from scratch.
    if (resumes === 1 && resumeEpoch !== undefined) {
      const at = /resuming at step (\d+)/.exec(r.stderr)?.[1] ?? '0';
      if (Number(at) !== resumeEpoch * stepsPerEpoch) problems.push(`resumed at step ${at}, expected ${resumeEpoch * stepsPerEpoch} (the checkpoint of epoch ${resumeEpoch})`);
    }
    if (r.signal === 'SIGKILL') kills++;
    else if (r.code !== 0) problems.push(`resume ${resumes}: exit ${r.code}: ${r.stderr.trim().split('\n').pop()}`);
  }
  if (!problems.length && r.code !== 0) problems.push('never finished');
  if (!problems.length) {
    const got = await outcome(out);
    for (const k of ['weights', 'steps', 'epochs']) if (got[k] !== expected[k]) problems.push(`${k} differ from the uninterrupted run`);
    const left = await leftovers(out);
    if (left.length) problems.push(`left behind: ${left.join(', ')}`);
  }
  return { name, kills, resumes, identical: problems.length === 0, problems };
}

const results = [];
const chosen = [
  // [what, fault point, the epoch whose checkpoint the first resume must start from]
  ['checkpoint written, not yet in place (epoch 2)', 'kill:checkpoint:written:2', 1],
  ['between the checkpoint\'s two renames (epoch 2)', 'kill:checkpoint:between:1', 2],
  ['between the checkpoint\'s two renames (epoch 4, the last)', 'kill:checkpoint:between:3', 4],
  // (each checkpoint holds a model/ folder too: the final model is the fifth written)
  ['final model written, not yet in place', 'kill:model:written:5', 4],
  ['report written, not yet in place', 'kill:report:written', 4],
  ['during evaluation (epoch 3)', 'kill:evaluation:running:3', 2],
];
for (const [name, fault, epoch] of chosen) results.push(await scenario(`chosen: ${name}`, { env: { EFFNET_FAULT: fault } }, epoch));
// Random moments over the whole run (start-up included); a run that finished before its kill
// tested nothing and is drawn again.
let missed = 0;
for (let k = 0; k < RANDOM_KILLS && missed < 2 * RANDOM_KILLS; ) {
  const at = Math.round(200 + random() * 0.9 * wholeMs);
  const r = await scenario(`random ${k + 1}: SIGKILL after ${at} ms`, { killAfterMs: at });
  if (r.kills === 0) {
    missed++;
    continue;
  }
  results.push(r);
  k++;
}
if (results.length < chosen.length + RANDOM_KILLS) results.push({ name: 'random kills', kills: 0, resumes: 0, identical: false, problems: [`only ${results.length - chosen.length} of ${RANDOM_KILLS} random kills landed before the run ended`] });

// A chosen fault point that never fired would test nothing: each must have killed its first run.
for (const r of results.slice(0, chosen.length)) if (r.kills === 0) r.problems.push('the fault point never fired'), (r.identical = false);

await rm(work, { recursive: true, force: true });
if (args.includes('--json')) console.log(JSON.stringify({ wholeMs, results }, null, 2));
else {
  console.log(`uninterrupted run: ${(wholeMs / 1000).toFixed(1)} s\n`);
  console.log('| scenario | kills | resumes | identical to the uninterrupted run |\n|---|---:|---:|---|');
  for (const r of results) console.log(`| ${r.name} | ${r.kills} | ${r.resumes} | ${r.identical ? 'yes' : `**no**: ${r.problems.join('; ')}`} |`);
  const bad = results.filter((r) => !r.identical).length;
  console.log(`\nkill-resume: ${results.length} scenarios, ${results.reduce((n, r) => n + r.kills, 0)} kills, ${bad} differing`);
}
process.exitCode = results.every((r) => r.identical) ? 0 : 1;
