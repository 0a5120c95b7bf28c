#!/usr/bin/env node
// The main job's training benchmark: ms per step and images/s of the main job's model (the
// Fashion-MNIST architecture, batch 256, the main job's recipe: RMSProp, label smoothing, EMA)
// at 16, 20, 24 and 28 px, through effnet's own trainer (data, forward, backward, optimizer,
// EMA), for each engine: wasm's compiled engine on every core and on one thread, wasm op by op,
// tfjs-node; and PyTorch on the same network (bench/torch_main_job_step.py, built from the same
// layout). Engines run in separate processes, in rounds, interleaved, so that a busy machine
// slows all of them alike; medians over rounds and steps.
//   node bench/main-job-training.mjs [--rounds 2] [--steps 6] [--engines tfjs-node,wasm] [--json] [--require-anchors]
//   node bench/main-job-training.mjs --layout FILE      writes the network layout the anchor builds
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt);
const SIZES = [16, 20, 24, 28];
const BATCH = 256;

/** The model's architecture and the per-block layout the PyTorch anchor builds. */
async function mainJobModel() {
  const { createModel } = await import('@effnet/core');
  const { registerBlocks } = await import('@effnet/blocks');
  const { registerVariants } = await import('@effnet/scaling');
  const { FASHION_MNIST_ARCH } = await import('@effnet/cli');
  registerBlocks();
  registerVariants();
  const model = createModel(FASHION_MNIST_ARCH, { numClasses: 10, seed: 1 });
  const { spec, plan } = model;
  const layout = {
    activation: spec.activation,
    bnEpsilon: spec.bnEpsilon,
    bnMomentum: spec.bnMomentum,
    stem: spec.stem,
    headChannels: spec.headChannels,
    numClasses: spec.numClasses,
    dropout: spec.dropout,
    blocks: plan.blocks.map((b, i) => ({ type: b.type, kernel: b.kernel, stride: b.stride, expand: b.expandRatio, in: b.inChannels, out: b.outChannels, se: plan.plugins[i].seChannels?.(b) ?? null })),
    params: model.countParams().trainable,
  };
  return { model, layout };
}

/** Child: trains `steps + 2` steps at each size through the trainer; prints {rows: [{size, ms}]}. */
async function child(backend, engine, threads, stateIn, loader) {
  const tf = await import('@tensorflow/tfjs-core');
  const { configureWasm, preferSmallImageThreads, useBackend } = await import('@effnet/backends');
  const { Trainer, PixelDataset } = await import('@effnet/progressive');
  if (threads) configureWasm({ threads: Number(threads) });
  // As `effnet train` and the main job do for images this small.
  if (backend === 'tfjs-node' && stateIn !== 'host') preferSmallImageThreads(Math.max(...SIZES));
  await useBackend(backend);
  tf.enableProdMode();
  const steps = Number(opt('steps', '6')) + 2;
  // A first stage at the first size, not timed: the trainer's JavaScript is still being compiled
  // by V8 in a process's first steps, which would otherwise count against the first size only.
  const WARM_UP = 1;
  const { model } = await mainJobModel();
  const n = BATCH * steps;
  // 28 x 28 grey images held as bytes, as the main job holds Fashion-MNIST.
  let state = 1;
  const pixels = Uint8Array.from({ length: n * 28 * 28 }, () => ((state = (state * 1103515245 + 12345) >>> 0) >>> 24));
  const train = new PixelDataset(pixels, [28, 28, 1], Int32Array.from({ length: n }, (_, i) => i % 10), 10, 'bench images');
  const sizes = [...Array(WARM_UP).fill(SIZES[0]), ...SIZES];
  const stages = sizes.map((imageSize, i) => ({ startEpoch: i, endEpoch: i + 1, imageSize, dropout: 0.05, randAugmentMagnitude: 0, mixupAlpha: 0, cutmixAlpha: 0 }));
  const times = new Map(SIZES.map((s) => [s, []]));
  let last;
  let stage = 0;
  const trainer = new Trainer({
    model,
    train,
    schedule: { name: 'bench', stages },
    batchSize: BATCH,
    engine,
    keepStateInEngine: stateIn !== 'host',
    // The main job's data: left-right flips, and smaller stages on windows of the 28 px image.
    crop: { scale: [1, 1], flip: 0.5 },
    smallImages: 'crop',
    // 'here': batches made on this thread between steps; 'thread': on a loader thread during them.
    ...(loader ? { loaderThread: loader === 'thread' } : {}),
    optimizer: { type: 'rmsprop' },
    learningRate: { base: 0.02, decay: 'cosine', warmupEpochs: 0.1 },
    ema: 0.999,
    seed: 1,
    evalEvery: 0,
    onEvent: (e) => {
      const now = performance.now();
      if (e.type === 'stage') {
        last = undefined;
        stage = e.index;
      }
      if (e.type === 'step' && stage >= WARM_UP) {
        if (last !== undefined) times.get(e.imageSize).push(now - last);
        last = now;
      }
    },
  });
  await trainer.fit();
  // The first timed step of a size includes compiling its program: drop it.
  console.log(JSON.stringify({ rows: SIZES.map((size) => ({ size, ms: times.get(size).slice(1) })) }));
}

function runChild(backend, engine, threads, state, loader) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', backend, engine, threads ?? '', state ?? 'engine', loader ?? '', '--steps', opt('steps', '6')], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !last.startsWith('{')) return { error: `exit ${r.status}: ${(r.stderr || '').trim().split('\n').pop()?.slice(0, 160)}` };
  return JSON.parse(last);
}

function runTorch(layoutFile) {
  for (const python of ['/usr/bin/python3', 'python3']) {
    try {
      const out = execFileSync(python, [join(here, 'torch_main_job_step.py'), layoutFile, SIZES.join(','), String(BATCH), opt('steps', '6')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      return { ...JSON.parse(out), label: undefined };
    } catch (e) {
      if (e.status === 3 || e.code === 'ENOENT') continue;
      return { error: String(e.stderr || e.message).trim().split('\n').pop().slice(0, 160) };
    }
  }
  return { error: 'PyTorch is not installed: apt-get install python3-torch' };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};

async function main() {
  if (args[0] === '--child') {
    try {
      return await child(args[1], args[2], args[3] || undefined, args[4], args[5] || undefined);
    } catch (e) {
      console.log(JSON.stringify({ error: String(e?.message ?? e).split('\n')[0].slice(0, 200) }));
      return;
    }
  }
  // This process only describes the model: the cpu backend is enough.
  await (await import('@effnet/backends')).useBackend('cpu');
  const { model, layout } = await mainJobModel();
  if (args.includes('--layout')) {
    writeFileSync(opt('layout'), JSON.stringify(layout));
    return;
  }
  const requireAnchors = args.includes('--require-anchors') || process.env.CI === 'true';
  const dir = mkdtempSync(join(tmpdir(), 'effnet-bench-'));
  const layoutFile = join(dir, 'layout.json');
  writeFileSync(layoutFile, JSON.stringify(layout));
  // Forward MACs per image at each size (the rate counts 3x: forward, input and filter gradients).
  const { MeterOps, runNetwork } = await import('@effnet/core');
  const macs = new Map();
  for (const size of SIZES) {
    const meter = new MeterOps();
    runNetwork(meter, { shape: [1, size, size, 3] }, model.plan, 'logits');
    macs.set(size, meter.log.macs.reduce((a, m) => a + m.macs, 0));
  }
  const cores = (await import('node:os')).availableParallelism();
  const engines = [
    { label: `wasm, compiled (${cores} threads)`, backend: 'wasm', engine: 'auto' },
    { label: 'wasm, compiled (1 thread)', backend: 'wasm', engine: 'auto', threads: '1' },
    { label: 'tfjs-node, one call per step', backend: 'tfjs-node', engine: 'auto' },
    { label: 'tfjs-node, one call per step, batches made between steps', backend: 'tfjs-node', engine: 'auto', loader: 'here' },
    { label: 'tfjs-node, graph pass, state on host', backend: 'tfjs-node', engine: 'auto', state: 'host' },
    { label: 'wasm, op by op (1 thread)', backend: 'wasm', engine: 'eager', rounds: 1 },
  ];
  // --engines tfjs-node,wasm: only the engines whose label contains one of these (PyTorch always runs).
  const only = opt('engines', '').split(',').filter(Boolean);
  if (only.length) engines.splice(0, engines.length, ...engines.filter((e) => only.some((o) => e.label.includes(o))));
  const rounds = Number(opt('rounds', args.includes('--quick') ? '1' : '2'));
  const samples = new Map();
  const errors = new Map();
  const add = (label, rows) => {
    for (const r of rows) samples.set(`${label}|${r.size}`, [...(samples.get(`${label}|${r.size}`) ?? []), ...r.ms]);
  };
  let torchLabel = 'PyTorch';
  for (let round = 0; round < rounds; round++) {
    for (const e of engines) {
      if (round >= (e.rounds ?? rounds) || errors.has(e.label)) continue;
      process.stderr.write(`round ${round + 1}/${rounds}: ${e.label}\n`);
      const r = runChild(e.backend, e.engine, e.threads, e.state, e.loader);
      if (r.error) errors.set(e.label, r.error);
      else add(e.label, r.rows);
    }
    process.stderr.write(`round ${round + 1}/${rounds}: PyTorch\n`);
    const t = runTorch(layoutFile);
    if (t.error) errors.set('PyTorch', t.error);
    else {
      torchLabel = `PyTorch ${t.torch} (${t.threads} threads)`;
      add('PyTorch', t.rows);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  const labels = [...engines.map((e) => e.label), 'PyTorch'];
  const rows = [];
  for (const label of labels) {
    if (errors.has(label)) {
      rows.push({ engine: label === 'PyTorch' ? torchLabel : label, error: errors.get(label) });
      continue;
    }
    for (const size of SIZES) {
      const ms = median(samples.get(`${label}|${size}`) ?? []);
      const torch = median(samples.get(`PyTorch|${size}`) ?? []);
      const at28 = median(samples.get(`${label}|28`) ?? []);
      rows.push({
        engine: label === 'PyTorch' ? torchLabel : label,
        size,
        msPerStep: ms,
        imagesPerSecond: (BATCH * 1000) / ms,
        vsPyTorch: ms / torch,
        vs28px: ms / at28,
        gmacPerSecond: (3 * macs.get(size) * BATCH) / (ms * 1e6),
      });
    }
  }
  if (args.includes('--json')) console.log(JSON.stringify({ batch: BATCH, params: layout.params, rows }, null, 2));
  else {
    const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
    const lines = [`Main job's model (${layout.params.toLocaleString('en-US')} parameters), training step at batch ${BATCH}: data, forward, backward, RMSProp, EMA; medians`, '', '| engine | px | ms / step | images / s | vs PyTorch | vs 28 px | GMAC/s |', '|---|---:|---:|---:|---:|---:|---:|'];
    for (const r of rows) lines.push(r.error ? `| ${r.engine} | - | - | ${r.error} | | | |` : `| ${r.engine} | ${r.size} | ${f(r.msPerStep)} | ${f(r.imagesPerSecond, 0)} | ${f(r.vsPyTorch, 2)}x | ${f(r.vs28px, 2)} | ${f(r.gmacPerSecond, 2)} |`);
    console.log(lines.join('\n'));
  }
  const missing = rows.filter((r) => r.error);
  if (requireAnchors && missing.length) {
    console.error(`main-job-training: ${missing.map((r) => `${r.engine}: ${r.error}`).join('; ')} (--require-anchors)`);
    process.exit(1);
  }
}

await main();
