import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { encodeKerasH5, exportKerasH5, readHdf5, readKerasWeights, type ModelSource } from '@effnet/core';
import { registerBlocks } from '@effnet/blocks';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, sharedGolden } from '../../core/src/test-support/paths.js';
import { readNpyTensor, relativeError } from '../../core/src/test-support/tensors.js';
import { modelFromKerasWeights } from './keras-import.js';
import { registerVariants } from './register.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerBlocks();
  registerVariants();
});

interface KerasCase {
  name: string;
  dir: string;
  arch: ModelSource;
  files: string[];
}

/**
 * Every Keras case: those in ../shared/golden (a meta.json with `keras_version` and a registered
 * `model_name`, or an arch.json) and those in fixtures/keras. Each weights file of a case is
 * converted and must reproduce the case's logits and features.
 */
function kerasCases(): KerasCase[] {
  const cases: KerasCase[] = [];
  const shared = path.dirname(sharedGolden('dev-keras-b0'));
  const local = path.join(REPO_ROOT, 'fixtures/keras');
  for (const root of [shared, local]) {
    for (const name of readdirSync(root).sort()) {
      const dir = path.join(root, name);
      const meta = existsSync(path.join(dir, 'meta.json')) ? (JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')) as Record<string, unknown>) : undefined;
      if (!meta || typeof meta.keras_version !== 'string') continue;
      const arch: ModelSource | undefined = existsSync(path.join(dir, 'arch.json'))
        ? (JSON.parse(readFileSync(path.join(dir, 'arch.json'), 'utf8')) as ModelSource)
        : (meta.model_name as string | undefined);
      const files = readdirSync(dir).filter((f) => f.endsWith('.h5'));
      if (arch && files.length) cases.push({ name, dir, arch, files });
    }
  }
  return cases;
}

const cases = kerasCases().flatMap((c) => c.files.map((f) => [`${c.name}/${f}`, c, f] as const));

describe('Keras weights reproduce the reference outputs', () => {
  it('finds the golden cases', () => {
    expect(cases.map((c) => c[0])).toEqual(expect.arrayContaining(['dev-keras-b0/weights.h5', 'dev-keras-b0/weights_keras2style.h5', 'b0-w025-d03-nonsquare/model.weights.h5']));
  });

  it.each(cases)('%s', (_label, c, file) => {
    const before = tf.memory().numTensors;
    const hasLogits = existsSync(path.join(c.dir, 'logits.npy'));
    // A file without classifier gets a fresh head of 3 classes: features must still match.
    const { model, headFromFile } = modelFromKerasWeights(readFileSync(path.join(c.dir, file)), c.arch, { file, ...(hasLogits ? {} : { numClasses: 3 }) });
    expect(headFromFile).toBe(hasLogits);
    const x = readNpyTensor(c.dir, 'input.npy');
    const outputs = hasLogits ? (['logits', 'features'] as const) : (['features'] as const);
    for (const output of outputs) {
      const expected = readNpyTensor(c.dir, `${output}.npy`);
      const got = tf.tidy(() => model.apply(x, { output }));
      expect(got.shape).toEqual(expected.shape);
      expect(relativeError(got, expected)).toBeLessThan(1e-4);
      tf.dispose([got, expected]);
    }
    if (!hasLogits) {
      const logits = model.predict(x);
      expect(logits.shape).toEqual([x.shape[0], 3]);
      logits.dispose();
    }
    x.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('Keras weights files', () => {
  it('reads both string encodings and the Keras 2 and 3 names alike', () => {
    const dir = sharedGolden('dev-keras-b0');
    const k3 = readKerasWeights(readFileSync(path.join(dir, 'weights.h5')), 'weights.h5');
    const k2 = readKerasWeights(readFileSync(path.join(dir, 'weights_keras2style.h5')), 'weights_keras2style.h5');
    expect(k3.kerasVersion).toBe('3.15.1');
    expect(k2.kerasVersion).toBe('2.8.0');
    expect([...k3.layers.keys()]).toEqual([...k2.layers.keys()]);
    expect(k2.layers.get('block4a_dwconv2')!.map((w) => [w.name, w.variable])).toEqual([['block4a_dwconv2/depthwise_kernel:0', 'kernel']]);
    expect(k3.layers.get('block4a_dwconv2')!.map((w) => [w.name, w.variable])).toEqual([['block4a_dwconv2/kernel', 'kernel']]);
    expect(k3.layers.get('stem_bn')!.map((w) => w.variable)).toEqual(['gamma', 'beta', 'moving_mean', 'moving_variance']);
  });

  it('records the Keras input convention of the family', () => {
    const dir = sharedGolden('dev-keras-b0');
    const { model } = modelFromKerasWeights(readFileSync(path.join(dir, 'weights.h5')), 'efficientnetv2-b0');
    expect(model.spec.preprocessing.mean).toEqual([0.485, 0.456, 0.406]);
    expect(model.spec.preprocessing.scale).toBeCloseTo(1 / 255);
    model.dispose();
    const s = modelFromKerasWeights(readFileSync(path.join(REPO_ROOT, 'fixtures/keras/s-w02-d02-notop/weights.h5')), { base: 'efficientnetv2-s', width: 0.2, depth: 0.2 });
    expect(s.model.spec.preprocessing).toMatchObject({ scale: 1 / 128, offset: -1, mean: [0, 0, 0], std: [1, 1, 1] });
    expect(s.model.spec.numClasses).toBe(0);
    s.model.dispose();
  });
});

describe('Keras import errors name the layer and the shapes', () => {
  const dir = sharedGolden('dev-keras-b0');
  const golden = () => readFileSync(path.join(dir, 'weights.h5'));
  /** The golden file's layers, to edit and write back. */
  const layers = () =>
    [...readKerasWeights(golden(), 'weights.h5').layers].map(([name, weights]) => ({
      name,
      weights: weights.map((w) => ({ variable: w.variable, shape: w.shape, data: w.read() })),
    }));
  const convert = (bytes: Uint8Array, arch: ModelSource = 'efficientnetv2-b0') => () => modelFromKerasWeights(bytes, arch, { file: 'w.h5' }).model.dispose();

  it('rejects a file that is not HDF5, or truncated', () => {
    expect(convert(readFileSync(path.join(dir, 'input.npy')))).toThrow(/^w\.h5: is not an HDF5 file/);
    expect(convert(new Uint8Array(3))).toThrow(/^w\.h5: is not an HDF5 file .*\(expected .*, got 3 bytes\)$/);
    const bytes = golden();
    expect(convert(bytes.subarray(0, Math.floor(bytes.length / 2)))).toThrow(/^w\.h5: is truncated/);
  });

  it('rejects a missing layer, a wrong shape and an unknown layer', () => {
    const missing = layers().filter((l) => l.name !== 'block4a_dwconv2');
    expect(convert(encodeKerasH5(missing))).toThrow(/^w\.h5: block4a_dwconv2: layer is missing from the file \(expected kernel \[3,3,192,1\], got nothing\)$/);
    const wrong = layers().map((l) => (l.name === 'block2a_expand_conv' ? { ...l, weights: [{ variable: 'kernel', shape: [3, 3, 16, 48], data: l.weights[0]!.data.subarray(0, 3 * 3 * 16 * 48) }] } : l));
    expect(convert(encodeKerasH5(wrong))).toThrow(/^w\.h5: block2a_expand_conv\/kernel: has a shape that does not fit the architecture \(expected \[3,3,16,64\], got \[3,3,16,48\]\)$/);
    const unknown = [...layers(), { name: 'block7a_project_conv', weights: [{ variable: 'kernel', shape: [1, 1, 4, 4], data: new Float32Array(16) }] }];
    expect(convert(encodeKerasH5(unknown))).toThrow(/^w\.h5: block7a_project_conv: is a layer in the file but not in the architecture \(wrong --arch\?\) \(expected no such layer, got kernel \[1,1,4,4\]\)$/);
    expect(convert(golden(), 'efficientnetv2-b1')).toThrow(/^w\.h5: block1b_project_conv: layer is missing from the file \(expected kernel \[3,3,16,16\], got nothing\)$/);
    expect(() => modelFromKerasWeights(golden(), 'efficientnetv2-b0', { file: 'w.h5', numClasses: 7 })).toThrow(/^w\.h5: predictions\/kernel: has a shape that does not fit the architecture \(expected \[1280,7\], got \[1280,10\]\)$/);
  });

  it('exports a model that reads back bit for bit, with long layer lists split', async () => {
    const { model } = modelFromKerasWeights(golden(), 'efficientnetv2-b0');
    const again = modelFromKerasWeights(await exportKerasH5(model), 'efficientnetv2-b0').model;
    for (const [name, v] of model.weights) expect(Buffer.from((await again.weights.get(name)!.data()).buffer).equals(Buffer.from((await v.data()).buffer)), name).toBe(true);
    model.dispose();
    again.dispose();
    const many = Array.from({ length: 3000 }, (_, i) => ({ name: `layer_with_a_long_name_${i}`, weights: [{ variable: 'bias', shape: [1], data: Float32Array.of(i) }] }));
    const bytes = encodeKerasH5(many);
    const root = readHdf5(bytes).root;
    expect(root.attribute('layer_names')).toBeUndefined();
    expect(root.attribute('layer_names1')!.strings()).toHaveLength(1500);
    const read = readKerasWeights(bytes);
    expect([...read.layers.keys()]).toEqual(many.map((l) => l.name));
    expect([...read.layers.get('layer_with_a_long_name_2999')![0]!.read()]).toEqual([2999]);
  });
});
