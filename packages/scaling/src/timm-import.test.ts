import { readFileSync } from 'node:fs';
import path from 'node:path';
import { encodeSafetensors, exportTimmSafetensors, parseSafetensors, type ModelSource } from '@effnet/core';
import { registerBlocks } from '@effnet/blocks';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoGolden, sharedGolden } from '../../core/src/test-support/paths.js';
import { readNpyTensor, relativeError } from '../../core/src/test-support/tensors.js';
import { registerVariants } from './register.js';
import { modelFromTimmCheckpoint } from './timm-import.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerBlocks();
  registerVariants();
});

const npy = readNpyTensor;
const relErr = relativeError;

const cases: [string, string, ModelSource, 'official' | 'timm'][] = [
  ['dev-b0', sharedGolden('dev-b0'), 'efficientnetv2-b0', 'official'],
  ['dev-tiny', sharedGolden('dev-tiny'), { base: 'efficientnetv2-s', width: 0.5, depth: 0.5 }, 'official'],
  ['dev-v1-b0', sharedGolden('dev-v1-b0'), 'efficientnet-b0', 'official'],
  ...(['b1w05-nonsquare', 'b3-shallow-odd', 'm-w035-d04', 'l-w025-d02', 's-w04-guard'].map((c) => {
    const dir = repoGolden(c);
    const arch = JSON.parse(readFileSync(path.join(dir, 'arch.json'), 'utf8')) as ModelSource;
    return [c, dir, arch, ['m-w035-d04', 'l-w025-d02', 's-w04-guard'].includes(c) ? 'timm' : 'official'] as [string, string, ModelSource, 'official' | 'timm'];
  })),
  // EfficientNet (V1): timm's tf_efficientnet_* round like the official V1 code (0.9 guard).
  ...(['v1-b1-nonsquare', 'v1-w06-d05-odd'].map((c) => {
    const dir = repoGolden(c);
    return [c, dir, JSON.parse(readFileSync(path.join(dir, 'arch.json'), 'utf8')) as ModelSource, 'official'] as [string, string, ModelSource, 'official' | 'timm'];
  })),
];

describe('timm checkpoints reproduce the reference outputs', () => {
  it.each(cases)('%s', (_name, dir, arch, convention) => {
    const { model, convention: used } = modelFromTimmCheckpoint(readFileSync(path.join(dir, 'weights.safetensors')), arch, { file: 'weights.safetensors' });
    expect(used).toBe(convention);
    const x = npy(dir, 'input.npy');
    for (const [file, output] of [['logits.npy', 'logits'], ['features.npy', 'features'], ['stem.npy', 'stem']] as const) {
      const expected = npy(dir, file);
      const got = tf.tidy(() => model.apply(x, { output }));
      expect(got.shape).toEqual(expected.shape);
      expect(relErr(got, expected)).toBeLessThan(1e-4);
      tf.dispose([got, expected]);
    }
    x.dispose();
    model.dispose();
  });
});

describe('timm import errors', () => {
  const dir = sharedGolden('dev-b0');
  const tensors = () => parseSafetensors(readFileSync(path.join(dir, 'weights.safetensors')), 'w.safetensors');

  it('names the first tensor that does not fit the architecture', () => {
    expect(() => modelFromTimmCheckpoint(tensors(), 'efficientnetv2-b1', { file: 'w.safetensors' })).toThrow(
      /^w\.safetensors: blocks\.0\.1\.conv\.weight: is missing from the checkpoint \(expected \[16,16,3,3\], got nothing\)$/,
    );
    expect(() => modelFromTimmCheckpoint(tensors(), 'efficientnetv2-b2', { file: 'w.safetensors' })).toThrow(/^w\.safetensors: blocks\.0\.1\.conv\.weight: is missing/);
    expect(() => modelFromTimmCheckpoint(tensors(), { base: 'efficientnetv2-b0', width: 1.1 }, { file: 'w.safetensors' })).toThrow(
      /^w\.safetensors: blocks\.\d\.\d\.\w+\.weight: has a shape that does not fit the architecture \(expected \[\d+(,\d+)*\], got \[\d+(,\d+)*\]\)$/,
    );
    const t = tensors();
    t.delete('blocks.3.0.conv_dw.weight');
    expect(() => modelFromTimmCheckpoint(t, 'efficientnetv2-b0', { file: 'w.safetensors' })).toThrow(/w\.safetensors: blocks\.3\.0\.conv_dw\.weight: is missing from the checkpoint \(expected \[192,1,3,3\], got nothing\)/);
    expect(() => modelFromTimmCheckpoint(tensors(), 'efficientnetv2-b0', { file: 'w.safetensors', numClasses: 7 })).toThrow(
      /classifier\.weight: has a shape that does not fit the architecture \(expected \[7,1280\], got \[10,1280\]\)/,
    );
  });

  it.each([
    ['dev-b0', 'efficientnetv2-b0'],
    ['dev-v1-b0', 'efficientnet-b0'],
  ])('export to timm safetensors returns the same tensors bit for bit (%s)', async (golden, variant) => {
    const bytes = readFileSync(path.join(sharedGolden(golden), 'weights.safetensors'));
    const { model } = modelFromTimmCheckpoint(bytes, variant);
    const back = parseSafetensors(await exportTimmSafetensors(model));
    const orig = parseSafetensors(bytes);
    expect([...back.keys()].sort()).toEqual([...orig.keys()].filter((k) => !k.endsWith('num_batches_tracked')).sort());
    for (const [name, t] of back) expect(Buffer.from(t.data.buffer).equals(Buffer.from(orig.get(name)!.data.buffer))).toBe(true);
    model.dispose();
    expect(encodeSafetensors([]).length).toBeGreaterThan(8);
  });
});
