import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeNpy, parseNpy } from '@effnet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, sharedGolden } from '../../core/src/test-support/paths.js';
import { maxRelDiff } from './test-support/max-rel-diff.js';
import { BIN, expectCleanError, runEffnet } from './test-support/run-effnet.js';

const effnet = (...args: string[]) => runEffnet(args);

type Reference = { models: Record<string, { params: number; macs: Record<string, number> }> };
const readReference = (file: string) => JSON.parse(readFileSync(path.resolve(REPO_ROOT, '../shared/reference', file), 'utf8')) as Reference;
// EfficientNetV2 variants, then EfficientNet (V1) B0-B7, in registration order.
const reference: Reference = { models: { ...readReference('param-counts.json').models, ...readReference('v1-param-counts.json').models } };

let tmp: string;
beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first (npm test does)`);
  tmp = await mkdtemp(path.join(tmpdir(), 'effnet-cli-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe('effnet models / info', () => {
  it('models --json lists every variant with params, MACs and sizes', async () => {
    const r = await effnet('models', '--json');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { name: string; params: number; macs: number; trainSize: number; evalSize: number }[];
    expect(rows.map((x) => x.name)).toEqual(Object.keys(reference.models));
    for (const row of rows) {
      expect(row.params).toBe(reference.models[row.name]!.params);
      const atEval = reference.models[row.name]!.macs[String(row.evalSize)]!;
      expect(Math.abs(row.macs - atEval) / atEval).toBeLessThan(0.01);
    }
    const text = await effnet('models');
    expect(text.stdout).toMatch(/efficientnetv2-xl\s+208,119,808/);
  });

  it.each(Object.keys(reference.models))('info %s --json matches the reference params and MACs', async (name) => {
    for (const [res, macs] of Object.entries(reference.models[name]!.macs)) {
      const r = await effnet('info', name, '--json', '--resolution', res);
      expect(r.code).toBe(0);
      const info = JSON.parse(r.stdout) as { params: number; macs: number; nonTrainableParams: number; stages: unknown[] };
      expect(info.params).toBe(reference.models[name]!.params);
      expect(Math.abs(info.macs - macs) / macs).toBeLessThan(0.01);
      expect(info.nonTrainableParams).toBeGreaterThan(0);
    }
  });

  it('info reads a config file, --classes and a non-square --resolution, and prints a table', async () => {
    const cfg = path.join(tmp, 'small.json');
    await writeFile(cfg, JSON.stringify({ base: 'efficientnetv2-m', width: 0.35, depth: 0.4, numClasses: 5 }));
    const j = JSON.parse((await effnet('info', cfg, '--json', '--classes', '7', '--resolution', '96x128')).stdout);
    expect(j.numClasses).toBe(7);
    expect(j.resolution).toEqual([96, 128]);
    expect(j.stages).toHaveLength(7);
    expect(j.stages[0]).toMatchObject({ type: 'fused_mbconv', repeats: 2, outputSize: [48, 64] });
    const text = (await effnet('info', 'efficientnetv2-s')).stdout;
    expect(text).toMatch(/stage 6\s+MBConv6 k3x3 SE0.25\s+15/);
    expect(text).toMatch(/params: 21,458,488 trainable/);
  });
});

describe('effnet convert + predict reproduce golden logits', () => {
  it.each([
    ['dev-b0', 'efficientnetv2-b0'],
    ['dev-tiny', JSON.stringify({ base: 'efficientnetv2-s', width: 0.5, depth: 0.5 })],
    ['dev-v1-b0', 'efficientnet-b0'],
  ])('%s', async (name, arch) => {
    const dir = sharedGolden(name);
    let archArg = arch;
    if (arch.startsWith('{')) {
      archArg = path.join(tmp, `${name}.json`);
      await writeFile(archArg, arch);
    }
    const out = path.join(tmp, `model-${name}`);
    const c = await effnet('convert', '--from', 'timm', path.join(dir, 'weights.safetensors'), '--arch', archArg, '--out', out);
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/wrote .*10 classes/);
    const logitsFile = path.join(tmp, `${name}-logits.npy`);
    const p = await effnet('predict', out, path.join(dir, 'input.npy'), '--json', '--top', '3', '--save-logits', logitsFile, '--backend', 'cpu');
    expect(p.code).toBe(0);
    const json = JSON.parse(p.stdout);
    expect(json.backend).toBe('cpu');
    expect(json.predictions).toHaveLength(2);
    expect(json.predictions[0].top).toHaveLength(3);
    const got = parseNpy(await readFile(logitsFile));
    const want = parseNpy(await readFile(path.join(dir, 'logits.npy')));
    expect(got.shape).toEqual(want.shape);
    expect(maxRelDiff(got.data, want.data)).toBeLessThan(1e-4);
    const best = want.data.slice(0, 10).indexOf(Math.max(...want.data.slice(0, 10)));
    expect(json.predictions[0].top[0].index).toBe(best);
  });

  it.each(['wasm', 'webgpu'])('predict --backend %s reproduces the golden logits within 1e-3', async (backend) => {
    const dir = sharedGolden('dev-b0');
    const logitsFile = path.join(tmp, `b0-${backend}.npy`);
    const p = await effnet('predict', path.join(tmp, 'model-dev-b0'), path.join(dir, 'input.npy'), '--backend', backend, '--save-logits', logitsFile, '--json');
    expect(p.code).toBe(0);
    expect(JSON.parse(p.stdout).backend).toBe(backend);
    const got = parseNpy(await readFile(logitsFile));
    const want = parseNpy(await readFile(path.join(dir, 'logits.npy')));
    expect(maxRelDiff(got.data, want.data)).toBeLessThan(1e-3);
  });

  it('predicts images with the model\'s own preprocessing', async () => {
    const { PNG } = await import('pngjs');
    const jpeg = await import('jpeg-js');
    const w = 40;
    const h = 30;
    const rgba = Buffer.alloc(w * h * 4);
    for (let i = 0; i < w * h; i++) rgba.set([(i * 7) % 256, (i * 3) % 256, (i * 11) % 256, 255], i * 4);
    const png = new PNG({ width: w, height: h });
    rgba.copy(png.data);
    const pngFile = path.join(tmp, 'img.png');
    await writeFile(pngFile, PNG.sync.write(png));
    const jpgFile = path.join(tmp, 'img.jpg');
    await writeFile(jpgFile, (jpeg.default ?? jpeg).encode({ data: rgba, width: w, height: h }, 95).data);
    const model = path.join(tmp, 'model-dev-b0');
    const r = await effnet('predict', model, pngFile, jpgFile, '--json', '--top', '10');
    expect(r.code).toBe(0);
    const preds = JSON.parse(r.stdout).predictions as { top: { probability: number }[] }[];
    expect(preds).toHaveLength(2);
    for (const p of preds) expect(p.top.reduce((a, t) => a + t.probability, 0)).toBeCloseTo(1, 4);
  });
});

describe('bad input: one clear line, exit 1, nothing written', () => {
  const weights = () => path.join(sharedGolden('dev-b0'), 'weights.safetensors');

  it('unknown variant lists the known ones', async () => {
    expectCleanError(await effnet('info', 'efficientnetv2-q'), /unknown variant "efficientnetv2-q".*Known variants: efficientnetv2-b0, .*efficientnetv2-xl/);
  });

  it('malformed and truncated safetensors', async () => {
    const good = await readFile(weights());
    const cases: [string, Buffer, RegExp][] = [];
    const badLen = Buffer.from(good.subarray(0, 1024));
    badLen.writeBigUInt64LE(10n ** 12n, 0);
    cases.push(['badlen.safetensors', badLen, /badlen\.safetensors: header length: has a bad header length/]);
    cases.push(['short.safetensors', good.subarray(0, good.length - 4096), /short\.safetensors: .*: has data_offsets past the end of the file/]);
    const headerLen = Number(good.readBigUInt64LE(0));
    const header = good.subarray(8, 8 + headerLen).toString('utf8').replace('"F32"', '"F16"');
    cases.push(['f16.safetensors', Buffer.concat([good.subarray(0, 8), Buffer.from(header, 'utf8'), good.subarray(8 + headerLen)]), /f16\.safetensors: .*: has an unsupported dtype .*expected F32, got F16/]);
    for (const [name, bytes, pattern] of cases) {
      const file = path.join(tmp, name);
      await writeFile(file, bytes);
      const out = path.join(tmp, `out-${name}`);
      expectCleanError(await effnet('convert', '--from', 'timm', file, '--arch', 'efficientnetv2-b0', '--out', out), pattern);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('a checkpoint that does not fit the architecture names the first mismatch', async () => {
    const out = path.join(tmp, 'out-mismatch');
    expectCleanError(
      await effnet('convert', '--from', 'timm', weights(), '--arch', 'efficientnetv2-s', '--out', out),
      /weights\.safetensors: conv_stem\.weight: has a shape that does not fit the architecture \(expected \[24,3,3,3\], got \[32,3,3,3\]\)/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('invalid config JSON names the file and the field', async () => {
    const broken = path.join(tmp, 'broken.json');
    await writeFile(broken, '{"base": "efficientnetv2-s",');
    expectCleanError(await effnet('info', broken), /broken\.json: is not valid JSON/);
    const badField = path.join(tmp, 'bad-field.json');
    await writeFile(badField, JSON.stringify({ base: 'efficientnetv2-s', depth: -1 }));
    expectCleanError(await effnet('info', badField), /bad-field\.json: depth: is too small \(expected > 0, got -1\)/);
    const out = path.join(tmp, 'out-badcfg');
    expectCleanError(await effnet('convert', '--from', 'timm', weights(), '--arch', badField, '--out', out), /bad-field\.json: depth/);
    expect(existsSync(out)).toBe(false);
    expectCleanError(await effnet('info', path.join(tmp, 'missing.json')), /missing\.json: config file not found/);
  });

  it('.npy inputs that are not float32 NHWC with 3 channels', async () => {
    const model = path.join(tmp, 'model-dev-b0');
    const f64 = path.join(tmp, 'f64.npy');
    const bytes = Buffer.from(encodeNpy({ shape: [1, 4, 4, 3], data: new Float32Array(48) }));
    await writeFile(f64, Buffer.from(bytes.toString('latin1').replace("'<f4'", "'<f8'"), 'latin1'));
    const logits = path.join(tmp, 'never.npy');
    expectCleanError(await effnet('predict', model, f64, '--save-logits', logits), /f64\.npy: must hold float32 data \(expected dtype '<f4' \(float32\), got '<f8'\)/);
    const four = path.join(tmp, 'four.npy');
    await writeFile(four, encodeNpy({ shape: [1, 8, 8, 4], data: new Float32Array(256) }));
    expectCleanError(await effnet('predict', model, four, '--save-logits', logits), /four\.npy: must be an NHWC batch with 3 channels \(expected \[N, H, W, 3\], got \[1, 8, 8, 4\]\)/);
    const flat = path.join(tmp, 'flat.npy');
    await writeFile(flat, encodeNpy({ shape: [8, 3], data: new Float32Array(24) }));
    expectCleanError(await effnet('predict', model, flat), /flat\.npy: must be an NHWC batch/);
    expect(existsSync(logits)).toBe(false);
  });

  it('a folder that is not a model, and an unknown backend', async () => {
    expectCleanError(await effnet('predict', tmp, 'x.npy'), /has no model\.json/);
    expectCleanError(await effnet('predict', path.join(tmp, 'model-dev-b0'), 'x.npy', '--backend', 'abacus'), /unknown backend "abacus"; known: .*wasm, cpu, auto/);
    expectCleanError(await effnet('predict', path.join(tmp, 'model-dev-b0'), 'x.npy', '--backend', 'tfjs-node-gpu'), /needs @tensorflow\/tfjs-node-gpu, which is not installed/);
    const input = path.join(sharedGolden('dev-b0'), 'input.npy');
    expectCleanError(await effnet('predict', path.join(tmp, 'model-dev-b0'), input, '--backend', 'cpu', '--engine', 'graph'), /engine: the active backend cannot run compiled graphs \(tfjs-node can\).*graph on cpu/);
    const badEngine = await effnet('predict', path.join(tmp, 'model-dev-b0'), input, '--engine', 'jit');
    expect(badEngine.code).toBe(1);
    expect(badEngine.stderr).toMatch(/'--engine <kind>' argument 'jit' is invalid\. Allowed choices are auto, eager, graph/);
  });
});

describe('one registry for ESM and CJS copies', () => {
  it('a plugin registered through the CJS build is visible to the ESM build', async () => {
    const { createRequire } = await import('node:module');
    const require = createRequire(import.meta.url);
    const cjs = require(path.join(REPO_ROOT, 'packages/core/dist/index.cjs')) as typeof import('@effnet/core');
    const esm = (await import(path.join(REPO_ROOT, 'packages/core/dist/index.js'))) as typeof import('@effnet/core');
    cjs.registerScalingRule({ name: 'dual-package-probe', resolve: () => { throw new Error('unused'); } });
    expect(esm.getRegistry('scaling').has('dual-package-probe')).toBe(true);
    expect(() => esm.registerScalingRule({ name: 'dual-package-probe', resolve: () => { throw new Error('unused'); } })).toThrow(/already registered/);
  });
});
