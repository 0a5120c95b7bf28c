#!/usr/bin/env node
// Benchmarks effnet on every backend that starts here, side by side in one run, with the anchors
// onnxruntime-node, onnxruntime-web (wasm, 1 thread) and PyTorch (CPU) where available.
// Usage: npm run bench [-- --reps 5 --train-reps 2 --quick --backends tfjs-node,wasm]
// Prints a Markdown table: median ms, spread (min-max), and ratios.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { createModel, graphCompilerFor, InferenceModel } from '@effnet/core';
import { registerBlocks } from '@effnet/blocks';
import { registerVariants } from '@effnet/scaling';
import { candidateBackends, useBackend, explainBackendError, kernelsIfLoaded } from '@effnet/backends';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const quick = args.includes('--quick');
// --backends tfjs-node,wasm: only these effnet backends (the anchors always run).
const only = args.includes('--backends') ? args[args.indexOf('--backends') + 1].split(',') : undefined;
const REPS = opt('reps', quick ? 3 : 7);
const TRAIN_REPS = opt('train-reps', quick ? 1 : 3);
const onnxFile = join(here, '../../shared/bench/efficientnetv2-b0-224.onnx');

registerBlocks();
registerVariants();
tf.enableProdMode();

const stats = (ms) => {
  const s = [...ms].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s.at(-1), n: s.length };
};

async function time(fn, reps, warmup = 1) {
  for (let i = 0; i < warmup; i++) await fn();
  const ms = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return stats(ms);
}

const results = []; // { workload, runtime, stats | error }
const notes = []; // lines printed under the table
const record = (workload, runtime, s) => {
  results.push({ workload, runtime, ...s });
  const text = s.error ? `skipped: ${s.error}` : `median ${s.median.toFixed(1)} ms (min ${s.min.toFixed(1)}, max ${s.max.toFixed(1)}, n ${s.n})`;
  process.stderr.write(`${workload.padEnd(34)} ${runtime.padEnd(22)} ${text}\n`);
};

async function inference(name, variant, size, batch, reps = REPS, engine = 'auto') {
  const model = createModel(variant, { numClasses: 1000, seed: 1 });
  const fast = new InferenceModel(model, engine);
  const x = tf.randomNormal([batch, size, size, 3]);
  const s = await time(async () => {
    const y = fast.predict(x);
    await y.data();
    y.dispose();
  }, reps);
  tf.dispose([x]);
  fast.dispose();
  model.dispose();
  return s;
}

/**
 * One optimizer step; `stock` uses TF.js's own `minimize`, otherwise effnet's training pass (one
 * compiled graph on tfjs-node under engine `auto`, the streaming backward pass elsewhere).
 */
async function trainStep(size, batch, reps, warmup = 1, stock = false, engine = 'auto') {
  const model = createModel('efficientnetv2-b0', { numClasses: 10, seed: 1 });
  const x = tf.randomNormal([batch, size, size, 3]);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 10), 'int32'), 10);
  const optimizer = tf.train.momentum(0.01, 0.9);
  const s = await time(async () => {
    const loss = () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }));
    if (stock) {
      const value = optimizer.minimize(loss, true, model.trainableWeights());
      await value.data();
      value.dispose();
      return;
    }
    const { loss: value, logits, grads } = model.trainingPass(x, y, { engine });
    optimizer.applyGradients(grads);
    await value.data();
    tf.dispose([value, logits, ...Object.values(grads)]);
  }, reps, warmup);
  tf.dispose([x, y]);
  optimizer.dispose();
  model.dispose();
  return s;
}

/**
 * One optimizer step (SGD with momentum 0.9, as above) with the training state kept in the
 * engine (`residentTraining`, what the trainer uses on tfjs-node): one native call per step.
 */
async function trainStepResident(size, batch, reps, warmup = 1) {
  const model = createModel('efficientnetv2-b0', { numClasses: 10, seed: 1 });
  const x = tf.randomNormal([batch, size, size, 3]);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 10), 'int32'), 10).toFloat();
  const trainable = model.weightDecls.filter((d) => d.trainable).map((d) => model.weights.get(d.name));
  const frozen = model.weightDecls.filter((d) => !d.trainable).map((d) => model.weights.get(d.name));
  const flat = (vs) => Float32Array.from(vs.flatMap((v) => Array.from(v.dataSync())));
  const weights = flat(trainable);
  const resident = graphCompilerFor(tf.getBackend()).residentTraining(model, { optimizer: { type: 'sgd', momentum: 0.9, nesterov: false }, weightDecay: 0, decayMask: new Float32Array(weights.length), ema: false });
  resident.load({ weights, statistics: flat(frozen), slots: { velocity: new Float32Array(weights.length) } });
  let step = 0;
  const s = await time(async () => {
    resident.step(x, y, { dropout: 0, dropPathRate: model.spec.dropPathRate, updateStatistics: true, learningRate: 0.01, step: step++, emaDecay: 0 });
  }, reps, warmup);
  resident.dispose();
  tf.dispose([x, y]);
  model.dispose();
  return s;
}

/**
 * A training step of `batch` images as micro-batches of `micro` with gradients summed: the same
 * update, for backends whose memory cannot hold the whole batch (wasm's 4 GB heap).
 */
async function trainStepAccumulated(size, batch, micro, reps) {
  const model = createModel('efficientnetv2-b0', { numClasses: 10, seed: 1 });
  const parts = Array.from({ length: batch / micro }, (_, k) => ({
    x: tf.randomNormal([micro, size, size, 3]),
    y: tf.oneHot(tf.tensor1d(Array.from({ length: micro }, (_, i) => (k * micro + i) % 10), 'int32'), 10),
  }));
  const optimizer = tf.train.momentum(0.01, 0.9);
  const s = await time(async () => {
    let sum;
    for (const { x, y } of parts) {
      const { loss, logits, grads } = model.trainingPass(x, y);
      tf.dispose([loss, logits]);
      const next = {};
      for (const k of Object.keys(grads)) next[k] = tf.tidy(() => (sum ? tf.add(sum[k], tf.mul(grads[k], micro / batch)) : tf.mul(grads[k], micro / batch)));
      tf.dispose([...Object.values(grads), ...(sum ? Object.values(sum) : [])]);
      sum = next;
    }
    optimizer.applyGradients(sum);
    tf.dispose(Object.values(sum));
  }, reps);
  for (const p of parts) tf.dispose([p.x, p.y]);
  optimizer.dispose();
  model.dispose();
  return s;
}

const W = {
  b0_1: 'B0 224 inference, batch 1',
  b0_8: 'B0 224 inference, batch 8',
  s_1: 'S 384 inference, batch 1',
  train: 'B0 128 training step, batch 32',
  trainSmall: 'B0 64 training step, batch 8',
};

// Child: B0 inference on wasm's compiled engine with 1 thread (the engine's thread count is fixed
// per process), so that it is compared with onnxruntime-web at the same thread count.
if (args.includes('--child-wasm-1-thread')) {
  const { configureWasm } = await import('@effnet/backends');
  configureWasm({ threads: 1 });
  await useBackend('wasm');
  const b1 = await inference('wasm', 'efficientnetv2-b0', 224, 1);
  const b8 = await inference('wasm', 'efficientnetv2-b0', 224, 8);
  console.log(JSON.stringify({ b1, b8 }));
  process.exit(0);
}

// Stock TF.js cpu first (before effnet replaces its conv gradient kernels).
await import('@tensorflow/tfjs-backend-cpu');
await tf.setBackend('cpu');
// One step without warm-up: TF.js's own conv filter gradients take minutes here.
if (!only || only.includes('cpu')) record(W.trainSmall, 'cpu (stock TF.js)', await trainStep(64, 8, 1, 0, true).catch((e) => ({ error: e.message })));

for (const adapter of candidateBackends().filter((a) => !only || only.includes(a.name))) {
  let info;
  try {
    info = await useBackend(adapter.name);
  } catch (e) {
    for (const w of Object.values(W)) record(w, adapter.name, { error: String(e.message).slice(0, 90) });
    continue;
  }
  const slow = adapter.slowReason?.();
  const label = slow ? `${adapter.name} (software)` : adapter.name;
  const heavy = adapter.name !== 'cpu' && !slow;
  // tfjs-node runs each pass as one compiled TensorFlow graph; its op-by-op rows show what that gains.
  const engines = graphCompilerFor(tf.getBackend()) ? [['auto', label], ['eager', `${label}, op by op`]] : [['auto', label]];
  try {
    // A software-rendered GPU or plain JS is slow: fewer repetitions, and no batch 8.
    const reps = heavy ? REPS : 3;
    for (const [engine, name] of engines) {
      record(W.b0_1, name, await inference(name, 'efficientnetv2-b0', 224, 1, reps, engine));
      record(W.b0_8, name, heavy ? await inference(name, 'efficientnetv2-b0', 224, 8, REPS, engine) : { error: 'slow on this backend here; see batch 1' });
      record(W.s_1, name, await inference(name, 'efficientnetv2-s', 384, 1, reps, engine));
      record(W.trainSmall, name, await trainStep(64, 8, TRAIN_REPS, 1, false, engine));
      if (!heavy) record(W.train, name, { error: 'too slow on this backend here; see the 64x64 row' });
      else {
        try {
          record(W.train, name, await trainStep(128, 32, TRAIN_REPS, 1, false, engine));
          if (engine === 'auto' && graphCompilerFor(tf.getBackend())?.residentTraining) record(W.train, `${name}, one call per step`, await trainStepResident(128, 32, TRAIN_REPS));
          const kernels = adapter.name === 'wasm' && engine === 'auto' ? kernelsIfLoaded() : undefined;
          if (kernels) notes.push(`wasm's compiled engine (${kernels.threads} threads): its memory after the B0 128 batch-32 training step (B0 inference before it) is ${(kernels.memory.buffer.byteLength / 2 ** 20).toFixed(0)} MiB`);
        } catch (e) {
          process.stderr.write(`${String(explainBackendError(e).message).slice(0, 160)}\n`);
          record(W.train, `${name}, 4 micro-batches of 8`, await trainStepAccumulated(128, 32, 8, TRAIN_REPS));
        }
      }
    }
  } catch (e) {
    record('error', label, { error: String(explainBackendError(e).message).slice(0, 120) });
  }
  void info;
  if (adapter.name === 'wasm' && graphCompilerFor('wasm')) {
    try {
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child-wasm-1-thread', '--reps', String(REPS)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      const r = JSON.parse(out.trim().split('\n').pop());
      record(W.b0_1, 'wasm (1 thread)', r.b1);
      record(W.b0_8, 'wasm (1 thread)', r.b8);
    } catch (e) {
      record(W.b0_1, 'wasm (1 thread)', { error: String(e.message).split('\n')[0].slice(0, 120) });
    }
  }
}

// Anchors.
const require = createRequire(import.meta.url);
async function ortSession(ort, options) {
  return ort.InferenceSession.create(readFileSync(onnxFile), options);
}
async function ortTime(ort, session, batch) {
  const input = new ort.Tensor('float32', new Float32Array(batch * 3 * 224 * 224).map(() => Math.random()), [batch, 3, 224, 224]);
  return time(async () => {
    await session.run({ input });
  }, REPS);
}
if (!existsSync(onnxFile)) {
  record(W.b0_1, 'onnxruntime', { error: `${onnxFile} missing` });
} else {
  try {
    const ort = require(join(here, 'node_modules/onnxruntime-node'));
    const session = await ortSession(ort, { intraOpNumThreads: 0 });
    record(W.b0_1, 'onnxruntime-node', await ortTime(ort, session, 1));
    record(W.b0_8, 'onnxruntime-node', await ortTime(ort, session, 8));
  } catch (e) {
    record(W.b0_1, 'onnxruntime-node', { error: `not installed (npm install --prefix bench): ${e.message.slice(0, 60)}` });
  }
  try {
    const ortWeb = await import(pathToFileURL(join(here, 'node_modules/onnxruntime-web/dist/ort.wasm.min.mjs')).href);
    ortWeb.env.wasm.numThreads = 1;
    ortWeb.env.wasm.simd = true;
    const session = await ortSession(ortWeb, { executionProviders: ['wasm'] });
    record(W.b0_1, 'onnxruntime-web (wasm, 1 thread)', await ortTime(ortWeb, session, 1));
    record(W.b0_8, 'onnxruntime-web (wasm, 1 thread)', await ortTime(ortWeb, session, 8));
  } catch (e) {
    record(W.b0_1, 'onnxruntime-web (wasm, 1 thread)', { error: `not available: ${e.message.slice(0, 80)}` });
  }
}
let torchAnchor = false;
// The heavy suite's timm venv (over Debian's torch) first, then the system Pythons.
for (const python of [join(homedir(), '.cache/effnet/heavy-timm-venv/bin/python'), '/usr/bin/python3', 'python3']) {
  try {
    const out = execFileSync(python, [join(here, 'torch_b0_step.py'), '128', '32', String(TRAIN_REPS)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const r = JSON.parse(out.trim().split('\n').pop()); // the last line: libraries may print notices before it
    record(W.train, `PyTorch ${r.torch} CPU (${r.threads} threads)`, stats(r.ms));
    const small = JSON.parse(execFileSync(python, [join(here, 'torch_b0_step.py'), '64', '8', String(TRAIN_REPS)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').pop());
    record(W.trainSmall, `PyTorch ${r.torch} CPU (${r.threads} threads)`, stats(small.ms));
    torchAnchor = true;
    break;
  } catch {
    // try the next python
  }
}
if (!torchAnchor) record(W.train, 'PyTorch', { error: 'PyTorch with timm is not installed (apt-get install python3-torch; pip install --no-deps timm, or npm run test:heavy, which makes ~/.cache/effnet/heavy-timm-venv)' });

// Table. Ratios: to the fastest effnet row of the workload, and to its anchor (onnxruntime-node
// for inference, PyTorch for training), both measured in this run.
const lines = ['| workload | runtime | median ms | min-max ms | vs fastest effnet | vs anchor |', '|---|---|---:|---:|---:|---:|'];
for (const w of Object.values(W)) {
  const rows = results.filter((r) => r.workload === w);
  const ours = rows.filter((r) => !r.error && !/onnxruntime|PyTorch|stock/.test(r.runtime));
  const best = ours.length ? Math.min(...ours.map((r) => r.median)) : undefined;
  const anchor = rows.find((r) => !r.error && /onnxruntime-node|PyTorch/.test(r.runtime));
  for (const r of rows) {
    if (r.error) {
      lines.push(`| ${w} | ${r.runtime} | - | ${r.error} | | |`);
      continue;
    }
    const ratio = best ? (r.median / best).toFixed(2) : '';
    const vsAnchor = anchor ? `${(r.median / anchor.median).toFixed(2)}x` : '';
    lines.push(`| ${w} | ${r.runtime} | ${r.median.toFixed(1)} | ${r.min.toFixed(1)}-${r.max.toFixed(1)} | ${ratio}x | ${vsAnchor} |`);
  }
}
console.log(lines.join('\n'));
for (const n of notes) console.log(`\n${n}`);
// An anchor that could not run is a row saying why; with --require-anchors (and under CI) an error.
const missingAnchors = results.filter((r) => r.error && /onnxruntime|PyTorch/.test(r.runtime));
if (missingAnchors.length && (args.includes('--require-anchors') || process.env.CI === 'true')) {
  console.error(`bench: ${missingAnchors.map((r) => `${r.runtime}: ${r.error}`).join('; ')} (--require-anchors)`);
  process.exitCode = 1;
}
