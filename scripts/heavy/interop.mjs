#!/usr/bin/env node
// Heavy interop suite: effnet against the real Keras (TensorFlow) and timm (PyTorch) in Python.
//
//   effnet -> .h5 -> keras.applications.EfficientNetV2<X>(weights=None).load_weights: same outputs
//   Keras model.save_weights('x.weights.h5') -> effnet: same outputs
//   effnet -> .safetensors -> timm.create_model('tf_efficientnetv2_<x>').load_state_dict: same outputs
//   timm -> effnet -> timm: the same tensors bit for bit
//
// "Same outputs" means max |effnet - other| / max |other| < 1e-4. `npm run test:heavy` runs it
// (interop.test.ts, project heavy-interop); `node scripts/heavy/interop.mjs <regex>` after a build
// runs the checks whose names match. Pythons: EFFNET_KERAS_PYTHON / EFFNET_TIMM_PYTHON, else the first of
// the venv (~/.cache/effnet/heavy-venv for Keras, ~/.cache/effnet/heavy-timm-venv for timm),
// /usr/bin/python3, python3 that imports the packages. With CI=true and no suitable Python, the
// packages are installed into that venv (Keras: tensorflow-cpu 2.21 from pip; timm: pip's timm
// over Debian's python3-torch and python3-torchvision, apt-installed when run as root). Checks
// whose Python is missing are skipped with the reason; under CI they fail, as does a check that
// runs and disagrees.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const here = path.join(root, 'scripts/heavy');
const dist = (pkg) => pathToFileURL(path.join(root, `packages/${pkg}/dist/index.js`)).href;
for (const pkg of ['core', 'blocks', 'scaling']) {
  if (!existsSync(fileURLToPath(dist(pkg)))) {
    console.error(`heavy: packages/${pkg}/dist is missing; run npm run build first`);
    process.exit(1);
  }
}
const tf = await import('@tensorflow/tfjs-core');
await import('@tensorflow/tfjs-backend-cpu');
const core = await import(dist('core'));
const { registerBlocks } = await import(dist('blocks'));
const scaling = await import(dist('scaling'));
await tf.setBackend('cpu');
tf.enableProdMode();
registerBlocks();
scaling.registerVariants();

const VENV = process.env.EFFNET_HEAVY_VENV ?? path.join(homedir(), '.cache/effnet/heavy-venv');
const TIMM_VENV = process.env.EFFNET_HEAVY_TIMM_VENV ?? path.join(homedir(), '.cache/effnet/heavy-timm-venv');
const TOLERANCE = 1e-4;
const results = [];
const only = process.argv[2] ? new RegExp(process.argv[2]) : undefined;
const record = (name, status, detail) => {
  results.push({ name, status, detail });
  console.log(`${status.toUpperCase().padEnd(4)} ${name}: ${detail}`);
};

// ---------------------------------------------------------------------------------------------
// Pythons

function imports(exe, modules) {
  if (!exe || (exe.includes('/') && !existsSync(exe))) return false;
  const r = spawnSync(exe, ['-c', `import ${modules.join(', ')}`], { stdio: 'ignore', timeout: 120_000, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' } });
  return r.status === 0;
}

/**
 * Installs `packages` with pip into `venv` (created from Debian's /usr/bin/python3, else python3;
 * with `systemSite`, the venv also sees that Python's packages). Returns why it failed, if it did.
 */
function install(venv, packages, systemSite = false) {
  const base = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import venv, ensurepip'], { stdio: 'ignore' }).status === 0);
  if (!base) return 'no python3 with venv/ensurepip to create a virtual environment';
  const py = path.join(venv, 'bin/python');
  if (!existsSync(py)) {
    console.log(`heavy: creating ${venv} from ${base}${systemSite ? ' (with its system packages)' : ''}`);
    const v = spawnSync(base, ['-m', 'venv', ...(systemSite ? ['--system-site-packages'] : []), venv], { stdio: 'inherit' });
    if (v.status !== 0) return `${base} -m venv ${venv} failed`;
  }
  console.log(`heavy: pip install ${packages.join(' ')} (this can take minutes)`);
  const r = spawnSync(py, ['-m', 'pip', 'install', '--retries', '0', '--timeout', '60', ...packages], { encoding: 'utf8', timeout: 30 * 60_000 });
  if (r.status !== 0) return `pip install ${packages.join(' ')} failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-2).join(' ')}`;
  return undefined;
}

/**
 * timm over Debian's PyTorch: pip's newest torch and torchvision do not always match each other
 * (torchvision's compiled operators then fail to load), so the venv sees Debian's python3-torch
 * and python3-torchvision (installed with apt when this runs as root) and pip adds only timm and
 * its pure-Python dependencies.
 */
function installTimm(venv) {
  const debian = '/usr/bin/python3';
  if (!imports(debian, ['torch', 'torchvision']) && process.getuid?.() === 0) {
    console.log('heavy: apt-get install python3-torch python3-torchvision python3-pil');
    spawnSync('bash', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch python3-torchvision python3-pil'], { stdio: 'inherit' });
  }
  if (!imports(debian, ['torch', 'torchvision'])) return `${debian} has no torch and torchvision (apt-get install python3-torch python3-torchvision)`;
  return install(venv, ['timm', 'safetensors'], true);
}

/**
 * A Python that imports `modules`, or `{ reason }` why there is none: the one named by `envVar`,
 * then `venv`'s, then Debian's and the PATH's python3. Under CI=true a missing one is installed
 * into `venv` by `setup(venv)`.
 */
function findPython(envVar, modules, venv, setup) {
  const candidates = [process.env[envVar], path.join(venv, 'bin/python'), '/usr/bin/python3', 'python3'].filter(Boolean);
  const found = candidates.find((p) => imports(p, modules));
  if (found) return { exe: found };
  const missing = `no Python with ${modules.join(', ')} (tried ${candidates.join(', ')}; set ${envVar}, or run with CI=true to install them)`;
  if (process.env.CI !== 'true') return { reason: missing };
  const failed = setup(venv);
  if (failed) return { reason: failed };
  const py = path.join(venv, 'bin/python');
  return imports(py, modules) ? { exe: py } : { reason: `${py} still cannot import ${modules.join(', ')} after installing` };
}

function runPython(exe, script, args) {
  const r = spawnSync(exe, [path.join(here, script), ...args], { encoding: 'utf8', timeout: 20 * 60_000, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', CUDA_VISIBLE_DEVICES: '' } });
  if (r.status !== 0) throw new Error(`${script} failed (exit ${r.status}): ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-5).join('\n')}`);
  return r.stdout.trim().split('\n').pop();
}

// ---------------------------------------------------------------------------------------------
// effnet side

/**
 * A model with seeded random weights whose BatchNorm statistics are first measured on the input
 * and 8 more random images of its size (one training pass with momentum 0, so every layer's
 * output is normalised and the network stays input-dependent however deep it is), then
 * perturbed at random together with gamma and beta, so that a wrong layer order, epsilon or
 * variable mapping shows.
 */
function randomModel(source, numClasses, seed, input) {
  const spec = core.resolveArchitecture(source, { numClasses });
  const model = new core.EffNetModel({ ...spec, bnMomentum: 0 }, { seed });
  tf.tidy(() => {
    const batch = tf.concat([tf.tensor(input.data, input.shape), tf.randomNormal([8, ...input.shape.slice(1)], 0, 1, 'float32', seed + 1)]);
    model.apply(batch, { training: true, dropout: 0, dropPathRate: 0 });
  });
  const values = new Map();
  let s = seed * 1000;
  const next = () => (s += 1);
  for (const d of model.weightDecls) {
    const v = model.weights.get(d.name);
    if (d.kind === 'bn_gamma') values.set(d.name, tf.randomUniform(d.shape, 0.8, 1.2, 'float32', next()));
    else if (d.kind === 'bn_beta' || d.kind === 'bias') values.set(d.name, tf.randomUniform(d.shape, -0.1, 0.1, 'float32', next()));
    else if (d.kind === 'bn_moving_mean') {
      const variance = model.weights.get(d.name.replace(/moving_mean$/, 'moving_variance'));
      values.set(d.name, tf.tidy(() => tf.add(v, tf.mul(tf.randomUniform(d.shape, -0.1, 0.1, 'float32', next()), tf.sqrt(variance)))));
    }
    else if (d.kind === 'bn_moving_variance') values.set(d.name, tf.tidy(() => tf.mul(v, tf.randomUniform(d.shape, 0.8, 1.25, 'float32', next()))));
  }
  model.setWeights(values, { complete: false });
  tf.dispose([...values.values()]);
  return model;
}

const npy = async (file) => core.parseNpy(await readFile(file), file);

async function saveInput(dir, shape, seed) {
  const x = tf.randomNormal(shape, 0, 1, 'float32', seed);
  const data = await x.data();
  x.dispose();
  const file = path.join(dir, 'input.npy');
  await writeFile(file, core.encodeNpy({ shape, data }));
  return { file, shape, data };
}

function output(model, input, numClasses) {
  return tf.tidy(() => {
    const x = tf.tensor(input.data, input.shape);
    return (numClasses > 0 ? model.predict(x) : model.features(x)).dataSync();
  });
}

function compare(ours, theirs) {
  let diff = 0;
  let max = 0;
  for (let i = 0; i < theirs.length; i++) {
    diff = Math.max(diff, Math.abs(ours[i] - theirs[i]));
    max = Math.max(max, Math.abs(theirs[i]));
  }
  return { rel: diff / max, max };
}

/** Samples of a batch must differ, else a test could pass on a network that ignores its input. */
function inputDependent(values, batch) {
  if (batch < 2) return true;
  const n = values.length / batch;
  let diff = 0;
  let max = 0;
  for (let i = 0; i < n; i++) {
    diff = Math.max(diff, Math.abs(values[i] - values[n + i]));
    max = Math.max(max, Math.abs(values[i]));
  }
  return diff > 1e-3 * max;
}

function judge(name, ours, theirs, batch, extra = '') {
  const { rel, max } = compare(ours, theirs);
  const ok = rel < TOLERANCE && inputDependent(theirs, batch) && Number.isFinite(rel);
  record(name, ok ? 'pass' : 'fail', `max |diff| / max |ref| = ${rel.toExponential(2)} (max |ref| ${max.toFixed(3)})${ok ? '' : ' (needs < 1e-4 and input-dependent outputs)'}${extra}`);
}

const work = await mkdtemp(path.join(tmpdir(), 'effnet-heavy-'));

/** A check whose Python is missing skips here, saying why; under CI it fails (nothing skips in CI). */
const missingStatus = process.env.CI === 'true' ? 'fail' : 'skip';

/**
 * One effnet -> other framework check: skipped when not selected or when its Python is missing;
 * otherwise `body` gets a random model of case `c`, its saved input and a work folder.
 */
async function exportCheck(label, python, c, seed, body) {
  if (only && !only.test(label)) return;
  if (!python.exe) {
    record(label, missingStatus, python.reason);
    return;
  }
  const dir = await mkdtemp(path.join(work, 'case-'));
  const input = await saveInput(dir, c.input, seed + 10);
  const model = randomModel(c.source, c.classes, seed, input);
  try {
    await body(model, input, dir, label);
  } catch (e) {
    record(label, 'fail', e.message);
  } finally {
    model.dispose();
  }
}
try {
  // ------------------------------------------------------------------------------------------- Keras
  const KERAS_CASES = [
    { name: 'b0', source: 'efficientnetv2-b0', args: ['--variant', 'efficientnetv2-b0'], classes: 7, input: [2, 96, 112, 3] },
    { name: 's-notop', source: 'efficientnetv2-s', args: ['--variant', 'efficientnetv2-s'], classes: 0, input: [2, 96, 96, 3] },
    { name: 'b3-w06-d05-nonsquare', source: { base: 'efficientnetv2-b3', width: 0.6, depth: 0.5 }, args: ['--base', 'efficientnetv2-b3', '--width', '0.6', '--depth', '0.5'], classes: 3, input: [2, 75, 67, 3] },
  ];
  const keras = findPython('EFFNET_KERAS_PYTHON', ['keras', 'tensorflow', 'h5py', 'numpy'], VENV, (venv) => install(venv, ['tensorflow-cpu==2.21.0', 'keras', 'h5py']));
  for (const c of KERAS_CASES) {
    await exportCheck(`keras ${c.name}`, keras, c, 11, async (model, input, dir, label) => {
      const ours = output(model, input, c.classes);
      const h5 = path.join(dir, 'effnet.h5');
      await writeFile(h5, await core.exportKerasH5(model));
      const line = runPython(keras.exe, 'keras_check.py', [...c.args, '--classes', String(c.classes), '--weights', h5, '--input', input.file, '--out', dir]);
      const theirs = (await npy(path.join(dir, 'keras_output.npy'))).data;
      judge(`${label}: effnet -> .h5 -> Keras load_weights`, ours, theirs, c.input[0], `; ${line}`);
      const back = scaling.modelFromKerasWeights(await readFile(path.join(dir, 'keras3.weights.h5')), c.source, { file: 'keras3.weights.h5', ...(c.classes === 0 ? { numClasses: 0 } : {}) });
      judge(`${label}: Keras save_weights(.weights.h5) -> effnet`, output(back.model, input, c.classes), theirs, c.input[0]);
      back.model.dispose();
    });
  }

  // -------------------------------------------------------------------------------------------- timm
  const timm = findPython('EFFNET_TIMM_PYTHON', ['torch', 'timm', 'safetensors', 'numpy'], TIMM_VENV, installTimm);
  const TIMM_EXPORT = [
    { name: 'tf_efficientnetv2_b0', source: 'efficientnetv2-b0', classes: 7, input: [2, 96, 112, 3] },
    { name: 'tf_efficientnetv2_s', source: 'efficientnetv2-s', classes: 4, input: [2, 96, 80, 3] },
  ];
  for (const c of TIMM_EXPORT) {
    await exportCheck(`timm ${c.name}: effnet -> .safetensors -> timm load_state_dict`, timm, c, 12, async (model, input, dir, label) => {
      const st = path.join(dir, 'effnet.safetensors');
      await writeFile(st, await core.exportTimmSafetensors(model));
      const line = runPython(timm.exe, 'timm_check.py', ['load', '--name', c.name, '--classes', String(c.classes), '--weights', st, '--input', input.file, '--out', dir]);
      judge(label, output(model, input, c.classes), (await npy(path.join(dir, 'timm_output.npy'))).data, c.input[0], `; ${line}`);
      judge(`${label} (pooled features)`, output(model, input, 0), (await npy(path.join(dir, 'timm_features.npy'))).data, c.input[0]);
    });
  }
  {
    const c = { name: 'tf_efficientnetv2_b1', source: 'efficientnetv2-b1', classes: 5, input: [2, 80, 96, 3] };
    const label = `timm ${c.name}: timm -> effnet -> timm`;
    if (only && !only.test(label)) {
      // not selected
    } else if (!timm.exe) record(label, missingStatus, timm.reason);
    else {
      const dir = await mkdtemp(path.join(work, 'timm-roundtrip-'));
      try {
        const input = await saveInput(dir, c.input, 23);
        const line = runPython(timm.exe, 'timm_check.py', ['make', '--name', c.name, '--classes', String(c.classes), '--input', input.file, '--out', dir, '--seed', '3']);
        const original = await readFile(path.join(dir, 'timm.safetensors'));
        const { model } = scaling.modelFromTimmCheckpoint(original, c.source, { file: 'timm.safetensors' });
        judge(`timm ${c.name}: timm -> effnet outputs`, output(model, input, c.classes), (await npy(path.join(dir, 'timm_output.npy'))).data, c.input[0], `; ${line}`);
        const back = core.parseSafetensors(await core.exportTimmSafetensors(model));
        model.dispose();
        const orig = core.parseSafetensors(original, 'timm.safetensors', { ignore: core.TIMM_IGNORED_BUFFERS });
        const expected = [...orig.keys()];
        const differing = expected.filter((k) => {
          const a = orig.get(k);
          const b = back.get(k);
          return !b || a.shape.join() !== b.shape.join() || !Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).equals(Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength));
        });
        const ok = differing.length === 0 && back.size === expected.length;
        record(label, ok ? 'pass' : 'fail', ok ? `${expected.length} tensors identical bit for bit` : `${differing.length} tensors differ (first: ${differing[0]}), ${back.size} vs ${expected.length} tensors`);
      } catch (e) {
        record(label, 'fail', e.message);
      }
    }
  }
} finally {
  await rm(work, { recursive: true, force: true });
}

const count = (s) => results.filter((r) => r.status === s).length;
console.log(`\nheavy interop: ${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped`);
if (tf.memory().numTensors > 0) console.log(`(tensors still allocated: ${tf.memory().numTensors})`);
process.exit(count('fail') > 0 ? 1 : 0);
