#!/usr/bin/env node
// The progressive-learning experiment: the main job (`effnet fashion-mnist`: model, data, recipe)
// trained under each arm with several seeds, in one run, runs interleaved seed by seed so that a
// busy machine slows every arm alike:
//   fixed                  the last size and the last stage's regularization throughout
//   progressive            sizes and regularization rising together (the main job)
//   progressive-fixed-reg  sizes rising, regularization fixed at the last stage's (Table 13's ablation)
//   random-resize          a size drawn every epoch between the first and the last, regularization fixed
// Every epoch is evaluated on the test set (held-out training images choose the kept weights).
// Per run: training wall time (evaluations excluded), final test accuracy, and the time to reach
// the fixed arm's mean final accuracy (first epoch at or above it; null if never). Prints a table,
// writes out/experiment-progressive/results.json and an accuracy-vs-time chart (chart.svg,
// index.html). A finished run is kept (<out>/<arm>-seed<n>/result.json), so an interrupted
// experiment continues where it stopped; --fresh starts over.
//
//   npm run experiment:progressive -- [--seeds 1,2,3] [--arms fixed,progressive,...] [--epochs 10]
//       [--limit N] [--backend auto] [--out DIR] [--fresh] [-- more fashion-mnist options]
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'packages/cli/dist/bin.js');
const ARMS = ['fixed', 'progressive', 'progressive-fixed-reg', 'random-resize'];

const dashes = process.argv.indexOf('--');
const own = dashes < 0 ? process.argv.slice(2) : process.argv.slice(2, dashes);
const passThrough = dashes < 0 ? [] : process.argv.slice(dashes + 1);
const { values } = parseArgs({
  args: own,
  options: {
    seeds: { type: 'string', default: '1,2,3' },
    arms: { type: 'string', default: ARMS.join(',') },
    epochs: { type: 'string' },
    limit: { type: 'string' },
    backend: { type: 'string', default: 'auto' },
    out: { type: 'string', default: 'out/experiment-progressive' },
    fresh: { type: 'boolean', default: false },
  },
});
const fail = (message) => {
  console.error(`experiment-progressive: ${message}`);
  process.exit(1);
};
const seeds = values.seeds.split(',').map(Number);
if (seeds.some((s) => !Number.isInteger(s) || s < 0)) fail(`--seeds: expected whole numbers separated by commas, got ${values.seeds}`);
const arms = values.arms.split(',');
for (const a of arms) if (!ARMS.includes(a)) fail(`--arms: expected some of ${ARMS.join(', ')}, got ${a}`);
if (!arms.includes('fixed')) fail('--arms: the fixed arm is needed (its final accuracy is the target)');
if (!existsSync(bin)) fail('packages/cli/dist is missing: run npm run build first');
const out = join(root, values.out);
if (values.fresh) await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });

const { writeFileAtomic } = await import(pathToFileURL(join(root, 'packages/core/dist/index.js')).href);
const { accuracyVsTimeChart, renderSvg, escapeHtml } = await import(pathToFileURL(join(root, 'packages/progressive/dist/index.js')).href);

const common = [
  ...(values.epochs ? ['--epochs', values.epochs] : []),
  ...(values.limit ? ['--limit', values.limit] : []),
  '--backend', values.backend,
  ...passThrough,
];

/** One run of the main job under `arm` (kept from an earlier experiment when it finished there). */
async function run(arm, seed) {
  const dir = join(out, `${arm}-seed${seed}`);
  const saved = join(dir, 'result.json');
  if (existsSync(saved)) {
    console.error(`> ${arm}, seed ${seed}: kept from an earlier run (${relative(root, saved)})`);
    return JSON.parse(await readFile(saved, 'utf8'));
  }
  const args = ['fashion-mnist', '--arm', arm, '--seed', String(seed), '--json', '--predictions', '0', '--out', join(dir, 'run'), ...common];
  console.error(`> ${arm}, seed ${seed}: effnet ${args.join(' ')}`);
  const text = execFileSync(process.execPath, [bin, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 }).toString();
  const r = JSON.parse(text);
  const result = {
    arm,
    seed,
    backend: r.backend,
    trainSeconds: r.trainSeconds,
    finalAccuracy: r.testAccuracy,
    bestEpoch: r.bestEpoch ?? null,
    curve: r.history.filter((e) => e.evalAccuracy !== undefined).map((e) => ({ epoch: e.epoch, seconds: e.elapsed - (e.evaluationSeconds ?? 0), accuracy: e.evalAccuracy })),
  };
  await writeFileAtomic(saved, `${JSON.stringify(result, null, 1)}\n`);
  return result;
}

const runs = [];
for (const seed of seeds) for (const arm of arms) runs.push(await run(arm, seed));

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const spread = (xs) => (xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1)));
const target = mean(runs.filter((r) => r.arm === 'fixed').map((r) => r.finalAccuracy));
for (const r of runs) r.secondsToTarget = r.curve.find((p) => p.accuracy >= target)?.seconds ?? null;

const results = {
  engine: 'auto',
  backend: runs[0].backend,
  options: common.join(' '),
  target,
  arms: Object.fromEntries(arms.map((arm) => [arm, { runs: runs.filter((r) => r.arm === arm).map(({ seed, trainSeconds, finalAccuracy, secondsToTarget, bestEpoch, curve }) => ({ seed, trainSeconds, finalAccuracy, secondsToTarget, bestEpoch, curve })) }])),
};
const fixedSeconds = mean(results.arms.fixed.runs.map((r) => r.trainSeconds));
const rows = arms.map((arm) => {
  const rs = results.arms[arm].runs;
  const reached = rs.filter((r) => r.secondsToTarget !== null).map((r) => r.secondsToTarget);
  const summary = {
    trainSeconds: mean(rs.map((r) => r.trainSeconds)),
    trainSecondsSpread: spread(rs.map((r) => r.trainSeconds)),
    finalAccuracy: mean(rs.map((r) => r.finalAccuracy)),
    finalAccuracySpread: spread(rs.map((r) => r.finalAccuracy)),
    reached: reached.length,
    secondsToTarget: reached.length === rs.length ? mean(reached) : null,
  };
  results.arms[arm].summary = summary;
  return [arm, summary, rs.length];
});
await writeFileAtomic(join(out, 'results.json'), `${JSON.stringify(results, null, 1)}\n`);

const f = (x, d = 1) => x.toFixed(d);
const lines = [
  `backend: ${results.backend}; ${seeds.length} seed(s); target = fixed arm's mean final test accuracy = ${f(100 * target, 2)} %; options: ${results.options}`,
  '',
  '| arm | training wall time (s) | final test accuracy (%) | reached target | time to target (s) | time to target / fixed time |',
  '|---|---:|---:|---:|---:|---:|',
  ...rows.map(([arm, s, n]) => `| ${arm} | ${f(s.trainSeconds)} ± ${f(s.trainSecondsSpread)} | ${f(100 * s.finalAccuracy, 2)} ± ${f(100 * s.finalAccuracySpread, 2)} | ${s.reached}/${n} | ${s.secondsToTarget === null ? '-' : f(s.secondsToTarget)} | ${s.secondsToTarget === null ? '-' : `${f(s.secondsToTarget / fixedSeconds, 2)}x`} |`),
];
console.log(lines.join('\n'));

const chart = accuracyVsTimeChart(runs.map((r) => ({ arm: r.arm, run: `${r.arm} seed ${r.seed}`, points: r.curve })), target);
const svg = await renderSvg(chart);
await writeFileAtomic(join(out, 'chart.svg'), svg);
await writeFileAtomic(join(out, 'chart.vl.json'), `${JSON.stringify(chart, null, 1)}\n`);
await writeFileAtomic(
  join(out, 'index.html'),
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Progressive-learning experiment</title><style>body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child{text-align:left}</style></head><body>
<h1>Progressive-learning experiment</h1><p>${escapeHtml(lines[0])}</p>
<table><tr><th>arm</th><th>training wall time (s)</th><th>final test accuracy (%)</th><th>reached target</th><th>time to target (s)</th><th>time to target / fixed time</th></tr>
${rows.map(([arm, s, n]) => `<tr><td>${arm}</td><td>${f(s.trainSeconds)} ± ${f(s.trainSecondsSpread)}</td><td>${f(100 * s.finalAccuracy, 2)} ± ${f(100 * s.finalAccuracySpread, 2)}</td><td>${s.reached}/${n}</td><td>${s.secondsToTarget === null ? '-' : f(s.secondsToTarget)}</td><td>${s.secondsToTarget === null ? '-' : `${f(s.secondsToTarget / fixedSeconds, 2)}x`}</td></tr>`).join('\n')}</table>
<figure>${svg}</figure><p>Each run's report: ${runs.map((r) => `<a href="${r.arm}-seed${r.seed}/run/report/index.html">${r.arm} seed ${r.seed}</a>`).join(', ')}</p></body></html>
`,
);
console.error(`results: ${relative(root, join(out, 'results.json'))}, chart: ${relative(root, join(out, 'index.html'))}`);
