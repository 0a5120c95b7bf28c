#!/usr/bin/env node
// Readers during writes: one process re-saves a model folder over and over, alternating between
// two models A and B (`saveModel`, the path `effnet convert` and `effnet train` save through),
// while reader processes load it in a loop: `loadModel` (the library) and `effnet predict` (the
// command). Every read must get A or B whole: a load whose weights are neither, logits that are
// neither A's nor B's, or an error, counts against it.
//
//   node scripts/faults/torn-reads.mjs [--readers 4] [--loads 200] [--predicts 20] [--json]
//
// Prints a table (reader, reads, A, B, mixed, errors) and exits 1 on any mixed read or error.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(root, 'packages/cli/dist/bin.js');
const SELF = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt);
/** Two variants of one architecture: B0's blocks, 10 classes (~24 MB of weights, 6 shards). */
const VARIANT = 'efficientnetv2-b0';
const SIZE = 32;

async function library() {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  const core = await import(pathToFileURL(path.join(root, 'packages/core/dist/index.js')).href);
  const { registerBlocks } = await import(pathToFileURL(path.join(root, 'packages/blocks/dist/index.js')).href);
  const { registerVariants } = await import(pathToFileURL(path.join(root, 'packages/scaling/dist/index.js')).href);
  registerBlocks();
  registerVariants();
  return { tf, core };
}

/** SHA-256 of a model's weights in declaration order: which save a load came from. */
function weightsDigest(model) {
  const hash = createHash('sha256');
  for (const d of model.weightDecls) hash.update(new Uint8Array(model.weights.get(d.name).dataSync().buffer));
  return hash.digest('hex');
}

/** A writer: saves A and B in turn to `folder` until `stopFile` exists. */
async function writer(folder, a, b, stopFile) {
  const { core } = await library();
  const models = [await core.loadModel(a), await core.loadModel(b)];
  let saves = 0;
  while (!existsSync(stopFile)) await core.saveModel(models[saves++ % 2], folder);
  console.log(JSON.stringify({ saves }));
}

/** A library reader: `loads` loads of `folder`, each classified as A, B or mixed. */
async function reader(folder, loads, digestA, digestB) {
  const { core } = await library();
  const counts = { reads: 0, a: 0, b: 0, mixed: 0, errors: 0, firstError: null };
  for (let i = 0; i < loads; i++) {
    counts.reads++;
    try {
      const model = await core.loadModel(folder);
      const d = weightsDigest(model);
      model.dispose();
      if (d === digestA) counts.a++;
      else if (d === digestB) counts.b++;
      else counts.mixed++;
    } catch (e) {
      counts.errors++;
      counts.firstError ??= String(e.message ?? e).split('\n')[0];
    }
  }
  console.log(JSON.stringify(counts));
}

function run(argv, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Logits of a .npy output of `effnet predict --save-logits`. */
async function npyFloats(file) {
  const bytes = await readFile(file);
  const header = bytes.readUInt16LE(8);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset + 10 + header, bytes.byteOffset + bytes.byteLength));
}

const close = (x, y) => x.length === y.length && x.every((v, i) => Math.abs(v - y[i]) <= 1e-4 * Math.max(1, Math.abs(y[i])));

/** A command reader: `effnet predict` `runs` times on `folder`, logits compared to A's and B's. */
async function predictReader(folder, runs, input, logitsA, logitsB, work, id) {
  const counts = { reads: 0, a: 0, b: 0, mixed: 0, errors: 0, firstError: null };
  for (let i = 0; i < runs; i++) {
    counts.reads++;
    const out = path.join(work, `logits-${id}-${i}.npy`);
    const r = await run([BIN, 'predict', folder, input, '--backend', 'cpu', '--engine', 'eager', '--save-logits', out]);
    if (r.status !== 0) {
      counts.errors++;
      counts.firstError ??= r.stderr.trim().split('\n').pop();
      continue;
    }
    const logits = await npyFloats(out);
    if (close(logits, logitsA)) counts.a++;
    else if (close(logits, logitsB)) counts.b++;
    else counts.mixed++;
  }
  return counts;
}

async function main() {
  const READERS = Number(opt('readers', '4'));
  const LOADS = Number(opt('loads', '200'));
  const PREDICTS = Number(opt('predicts', '20'));
  if (!existsSync(BIN)) {
    console.error(`torn-reads: ${BIN} is missing; run npm run build first`);
    process.exit(1);
  }
  const { tf, core } = await library();
  const work = await mkdtemp(path.join(tmpdir(), 'effnet-torn-'));
  try {
    const a = path.join(work, 'a');
    const b = path.join(work, 'b');
    const folder = path.join(work, 'model');
    const input = path.join(work, 'input.npy');
    const x = tf.randomUniform([1, SIZE, SIZE, 3], -1, 1, 'float32', 3);
    await writeFile(input, core.encodeNpy({ data: x.dataSync(), shape: x.shape }));
    const digests = [];
    const logits = [];
    for (const [seed, dir] of [[1, a], [2, b]]) {
      const model = core.createModel(VARIANT, { numClasses: 10, seed });
      await core.saveModel(model, dir);
      digests.push(weightsDigest(model));
      const y = model.predict(x);
      logits.push(y.dataSync().slice());
      y.dispose();
      model.dispose();
    }
    x.dispose();
    await core.saveModel(await core.loadModel(a), folder);

    const stopFile = path.join(work, 'stop');
    const writing = run([SELF, '--role', 'writer', folder, a, b, stopFile]);
    const readers = Array.from({ length: READERS }, () => run([SELF, '--role', 'reader', folder, String(LOADS), digests[0], digests[1]]));
    const predicting = [0, 1].map((id) => predictReader(folder, PREDICTS, input, logits[0], logits[1], work, id));
    const done = await Promise.all(readers);
    const predicted = await Promise.all(predicting);
    await writeFile(stopFile, '');
    const w = await writing;
    if (w.status !== 0) throw new Error(`the writer failed: ${w.stderr.trim().split('\n').pop()}`);
    const { saves } = JSON.parse(w.stdout.trim().split('\n').pop());
    const rows = [
      ...done.map((r, i) => {
        if (r.status !== 0) return { reader: `loadModel #${i + 1}`, reads: 0, a: 0, b: 0, mixed: 0, errors: 1, firstError: r.stderr.trim().split('\n').pop() };
        return { reader: `loadModel #${i + 1}`, ...JSON.parse(r.stdout.trim().split('\n').pop()) };
      }),
      ...predicted.map((r, i) => ({ reader: `effnet predict #${i + 1}`, ...r })),
    ];
    const total = rows.reduce((t, r) => ({ reads: t.reads + r.reads, mixed: t.mixed + r.mixed, errors: t.errors + r.errors }), { reads: 0, mixed: 0, errors: 0 });
    if (args.includes('--json')) console.log(JSON.stringify({ saves, rows, total }));
    else {
      console.log('| reader | reads | model A | model B | mixed | errors |\n|---|---:|---:|---:|---:|---:|');
      for (const r of rows) console.log(`| ${r.reader} | ${r.reads} | ${r.a} | ${r.b} | ${r.mixed} | ${r.errors} |`);
      for (const r of rows) if (r.firstError) console.log(`${r.reader}: ${r.firstError}`);
    }
    console.log(`torn-reads: ${total.reads} reads during ${saves} saves, ${total.mixed} mixed, ${total.errors} errors`);
    if (total.mixed || total.errors || saves < 2) process.exitCode = 1;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

const role = opt('role', null);
if (role === 'writer') await writer(...args.slice(2));
else if (role === 'reader') await reader(args[2], Number(args[3]), args[4], args[5]);
else await main();
