import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createModel, encodeNpy, saveModel } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './program.js';
import { parseCount } from './read-arch.js';

let tmp: string;
let modelDir: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'effnet-hostile-'));
  await tf.setBackend('cpu');
  await runCli(['models', '--json'], { out: () => {}, err: () => {} }); // registers the built-in blocks and variants
  const model = createModel({ base: 'efficientnetv2-b0', width: 0.25, depth: 0.25, numClasses: 3 }, { seed: 1 });
  modelDir = path.join(tmp, 'model');
  await saveModel(model, modelDir);
  model.dispose();
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

/** Runs the CLI in this process; returns the exit code and what it printed on stderr. */
async function cli(...argv: string[]): Promise<{ code: number; err: string[] }> {
  const err: string[] = [];
  const code = await runCli(argv, { out: () => {}, err: (t) => err.push(t) });
  return { code, err };
}

describe('hostile command lines get one line and exit 1', () => {
  it('parseCount refuses an empty value instead of reading it as 0', () => {
    expect(() => parseCount('', '--classes', 0)).toThrow(/^--classes: must be a whole number >= 0 \(expected >= 0, got \)$/);
    expect(() => parseCount('  ', '--top')).toThrow(/--top: must be a whole number/);
    expect(parseCount('0', '--classes', 0)).toBe(0);
  });

  it.each([
    [['info', 'efficientnetv2-b0', '--resolution', ''], /^effnet: --resolution: must not be empty \(expected a value, got ""\)$/],
    [['schedule', 'efficientnetv2-s', '--epochs', ' '], /^effnet: --epochs: must not be empty/],
    [['info', 'efficientnetv2-b0', '--classes', '1000001'], /^effnet: --classes: is more classes than a classifier may have \(expected at most 1000000, got 1000001\)$/],
    [['schedule', 'efficientnetv2-s', '--epochs', '1e308'], /^effnet: schedule "paper": epochs: is too large \(expected <= 1000000, got 1e\+308\)$/],
    [['schedule', '', '--json'], /^effnet: /],
  ])('%j', async (argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(1);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(message);
  });
});

describe('predict refuses non-finite inputs and outputs, and output paths that collide', () => {
  const input = async (name: string, data: Float32Array) => {
    const file = path.join(tmp, name);
    await writeFile(file, encodeNpy({ shape: [1, 8, 8, 3], data }));
    return file;
  };

  it('names the input and the element of a NaN value', async () => {
    const x = new Float32Array(192).fill(0.5);
    x[7] = Number.NaN;
    const r = await cli('predict', modelDir, await input('nan.npy', x), '--backend', 'cpu');
    expect(r.err).toEqual([expect.stringMatching(/^effnet: .*nan\.npy: holds a value that is not a finite number \(expected finite float32 values, got NaN at element 7\)$/)]);
  });

  it('refuses to print or save logits that overflow to infinity or NaN', async () => {
    const logits = path.join(tmp, 'out', 'logits.npy');
    const r = await cli('predict', modelDir, await input('huge.npy', new Float32Array(192).fill(3.4e38)), '--backend', 'cpu', '--save-logits', logits);
    expect(r.code).toBe(1);
    expect(r.err[0]).toMatch(/^effnet: .*huge\.npy\[0\]: logits\[\d+\]: the model computes a logit that is not a finite number/);
    await expect(readdir(path.dirname(logits))).rejects.toThrow();
  });

  it('refuses --save-logits naming a folder or a path under a file, writing nothing', async () => {
    const ok = await input('ok.npy', new Float32Array(192).fill(0.1));
    await mkdir(path.join(tmp, 'taken'));
    const folder = await cli('predict', modelDir, ok, '--backend', 'cpu', '--save-logits', path.join(tmp, 'taken'));
    expect(folder.err).toEqual([expect.stringMatching(/^effnet: .*taken: exists and is not a file; refusing to replace it \(expected a file, got a folder\)$/)]);
    expect(await readdir(path.join(tmp, 'taken'))).toEqual([]);
    const under = await cli('predict', modelDir, ok, '--backend', 'cpu', '--save-logits', path.join(ok, 'logits.npy'));
    expect(under.err).toEqual([expect.stringMatching(/^effnet: .*logits\.npy: cannot be written: .*ok\.npy is a file, not a folder$/)]);
  });
});
