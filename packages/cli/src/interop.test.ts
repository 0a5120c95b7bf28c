import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeKerasH5, parseNpy, parseSafetensors, readKerasWeights } from '@effnet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, sharedGolden } from '../../core/src/test-support/paths.js';
import { maxRelDiff } from './test-support/max-rel-diff.js';
import { BIN, expectCleanError, runEffnet } from './test-support/run-effnet.js';

const effnet = (...args: string[]) => runEffnet(args);

let tmp: string;
beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first (npm test does)`);
  tmp = await mkdtemp(path.join(tmpdir(), 'effnet-interop-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

const kerasDir = () => sharedGolden('dev-keras-b0');

/** Runs `predict --save-logits` and returns the logits. */
async function logitsOf(modelDir: string, input: string, name: string): Promise<{ shape: number[]; data: Float32Array }> {
  const file = path.join(tmp, `${name}-logits.npy`);
  const r = await effnet('predict', modelDir, input, '--json', '--save-logits', file);
  expect(r.code, r.stderr).toBe(0);
  return parseNpy(await readFile(file));
}

describe('effnet convert --from keras', () => {
  it.each(['weights.h5', 'weights_keras2style.h5'])('%s reproduces the Keras logits', async (file) => {
    const out = path.join(tmp, `keras-${file}`);
    const c = await effnet('convert', '--from', 'keras', path.join(kerasDir(), file), '--arch', 'efficientnetv2-b0', '--out', out);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toMatch(/wrote .*efficientnetv2-b0, 10 classes, .*input: keras EfficientNetV2B0-B3: x\/255, ImageNet mean\/std/);
    const want = parseNpy(await readFile(path.join(kerasDir(), 'logits.npy')));
    const got = await logitsOf(out, path.join(kerasDir(), 'input.npy'), file);
    expect(got.shape).toEqual(want.shape);
    expect(maxRelDiff(got.data, want.data)).toBeLessThan(1e-4);
  });

  it('a _notop file with --classes gets a new classifier', async () => {
    const dir = path.join(REPO_ROOT, 'fixtures/keras/s-w02-d02-notop');
    const out = path.join(tmp, 'keras-notop');
    const c = await effnet('convert', '--from', 'keras', path.join(dir, 'weights.h5'), '--arch', path.join(dir, 'arch.json'), '--classes', '4', '--out', out);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toMatch(/4 classes, .*new classifier \(train it\); input: keras EfficientNetV2S\/M\/L: x\/128 - 1/);
    expect((await logitsOf(out, path.join(dir, 'input.npy'), 'notop')).shape).toEqual([1, 4]);
  });

  it('bad files: one clear line naming the layer and shapes, nothing written', async () => {
    const golden = await readFile(path.join(kerasDir(), 'weights.h5'));
    const layers = () =>
      [...readKerasWeights(golden).layers].map(([name, weights]) => ({ name, weights: weights.map((w) => ({ variable: w.variable, shape: w.shape, data: w.read() })) }));
    const cases: [string, Uint8Array, RegExp][] = [
      ['not-hdf5.h5', await readFile(path.join(kerasDir(), 'input.npy')), /not-hdf5\.h5: is not an HDF5 file/],
      ['truncated.h5', golden.subarray(0, 5_000_000), /truncated\.h5: is truncated/],
      ['missing.h5', encodeKerasH5(layers().filter((l) => l.name !== 'block5c_se_expand')), /missing\.h5: block5c_se_expand: layer is missing from the file \(expected kernel \[1,1,28,672\], bias \[672\], got nothing\)/],
      [
        'shape.h5',
        encodeKerasH5(layers().map((l) => (l.name === 'top_bn' ? { ...l, weights: l.weights.map((w) => ({ ...w, shape: [640], data: w.data.subarray(0, 640) })) } : l))),
        /shape\.h5: top_bn\/gamma: has a shape that does not fit the architecture \(expected \[1280\], got \[640\]\)/,
      ],
      ['unknown.h5', encodeKerasH5([...layers(), { name: 'block3c_project_bn', weights: [{ variable: 'gamma', shape: [48], data: new Float32Array(48) }] }]), /unknown\.h5: block3c_project_bn: is a layer in the file but not in the architecture/],
    ];
    for (const [name, bytes, pattern] of cases) {
      const file = path.join(tmp, name);
      await writeFile(file, bytes);
      const out = path.join(tmp, `out-${name}`);
      expectCleanError(await effnet('convert', '--from', 'keras', file, '--arch', 'efficientnetv2-b0', '--out', out), pattern);
      expect(existsSync(out)).toBe(false);
    }
  });
});

describe('effnet export', () => {
  it('keras-h5 and timm-safetensors load back with the same logits', async () => {
    const model = path.join(tmp, 'keras-weights.h5');
    const input = path.join(kerasDir(), 'input.npy');
    const before = await logitsOf(model, input, 'before');
    const h5 = path.join(tmp, 'exported.h5');
    const k = await effnet('export', model, '--to', 'keras-h5', '--out', h5);
    expect(k.code, k.stderr).toBe(0);
    expect(k.stdout).toMatch(/keras\.applications\.EfficientNetV2B0\(weights=None, classes=10, classifier_activation=None\)\.load_weights/);
    const st = path.join(tmp, 'exported.safetensors');
    const t = await effnet('export', model, '--to', 'timm-safetensors', '--out', st);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/timm\.create_model\('tf_efficientnetv2_b0', num_classes=10\)/);
    for (const [from, file] of [['keras', h5], ['timm', st]] as const) {
      const back = path.join(tmp, `back-${from}`);
      expect((await effnet('convert', '--from', from, file, '--arch', 'efficientnetv2-b0', '--out', back)).code).toBe(0);
      const again = await logitsOf(back, input, `back-${from}`);
      expect([...again.data]).toEqual([...before.data]);
    }
  });

  it.each([
    ['dev-b0', 'efficientnetv2-b0', 'tf_efficientnetv2_b0'],
    ['dev-v1-b0', 'efficientnet-b0', 'tf_efficientnet_b0'],
  ])('timm -> effnet -> timm returns the same tensors bit for bit (%s)', async (golden, variant, timmName) => {
    const original = path.join(sharedGolden(golden), 'weights.safetensors');
    const model = path.join(tmp, `timm-${golden}`);
    expect((await effnet('convert', '--from', 'timm', original, '--arch', variant, '--out', model)).code).toBe(0);
    const out = path.join(tmp, `timm-${golden}.safetensors`);
    const exported = await effnet('export', model, '--to', 'timm-safetensors', '--out', out);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain(`timm.create_model('${timmName}', num_classes=10)`);
    const a = parseSafetensors(await readFile(original));
    const b = parseSafetensors(await readFile(out));
    expect([...b.keys()].sort()).toEqual([...a.keys()].filter((k) => !k.endsWith('num_batches_tracked')).sort());
    for (const [name, tensor] of b) {
      expect(tensor.shape).toEqual(a.get(name)!.shape);
      expect(Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength).equals(Buffer.from(a.get(name)!.data.buffer, a.get(name)!.data.byteOffset, a.get(name)!.data.byteLength)), name).toBe(true);
    }
  });

  it('refuses a .weights.h5 name and a missing model, writing nothing', async () => {
    const out = path.join(tmp, 'x.weights.h5');
    expectCleanError(await effnet('export', path.join(tmp, 'keras-weights.h5'), '--to', 'keras-h5', '--out', out), /--out: Keras reads legacy weights from files named \*\.h5/);
    expect(existsSync(out)).toBe(false);
    const out2 = path.join(tmp, 'nothing.h5');
    expectCleanError(await effnet('export', path.join(tmp, 'no-such-model'), '--to', 'keras-h5', '--out', out2), /no-such-model/);
    expect(existsSync(out2)).toBe(false);
  });
});
