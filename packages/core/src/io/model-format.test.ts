import { mkdtemp, readdir, readFile, rm, symlink, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EffNetModel } from '../model/effnet-model.js';
import { tinySpec } from '../test-support/tiny-network.js';
import { useTinyModelFolder } from '../test-support/temp-folder.js';
import { createHash } from 'node:crypto';
import { SHARD_BYTES, WEIGHTS_DIGEST_FIELD } from './file-handler.js';
import { loadModel, saveModel } from './model-format.js';

/**
 * Re-computes a hand-edited folder's weights digest, as a hostile writer would, so that the
 * checks behind it are what a load meets.
 */
async function reseal(out: string): Promise<void> {
  const file = path.join(out, 'model.json');
  const json = JSON.parse(await readFile(file, 'utf8'));
  const hash = createHash('sha256');
  for (const p of json.weightsManifest.flatMap((g: { paths: string[] }) => g.paths)) hash.update(await readFile(path.join(out, p)).catch(() => Buffer.alloc(0)));
  json[WEIGHTS_DIGEST_FIELD] = hash.digest('hex');
  await writeFile(file, JSON.stringify(json));
}

const folder = useTinyModelFolder('effnet-io-');
let dir: string;
beforeAll(() => {
  dir = folder();
});

describe('saveModel / loadModel', () => {
  it('round-trips bit-exactly with architecture, preprocessing and labels', async () => {
    const spec = tinySpec({ headChannels: 1024, numClasses: 1200 }); // > 4 MB: several shards
    const model = new EffNetModel(spec, { seed: 7, labels: Array.from({ length: 1200 }, (_, i) => `c${i}`) });
    const out = path.join(dir, 'model');
    await saveModel(model, out, { source: { test: true } });
    const files = (await readdir(out)).sort();
    expect(files).toContain('model.json');
    expect(files.filter((f) => f.endsWith('.bin')).length).toBeGreaterThan(1);
    const json = JSON.parse(await readFile(path.join(out, 'model.json'), 'utf8'));
    expect(json.format).toBe('effnet');
    expect(json.modelTopology.architecture.preprocessing.mean).toEqual([0.5, 0.5, 0.5]);

    const loaded = await loadModel(`file://${out}`);
    expect(loaded.spec).toEqual(model.spec);
    expect(loaded.labels?.[1199]).toBe('c1199');
    for (const [name, v] of model.weights) {
      expect(Buffer.from((loaded.weights.get(name)!.dataSync() as Float32Array).buffer).equals(Buffer.from((v.dataSync() as Float32Array).buffer))).toBe(true);
    }
    const x = tf.randomNormal([1, 24, 20, 3]);
    expect(loaded.predict(x).dataSync()).toEqual(model.predict(x).dataSync());
    model.dispose();
    loaded.dispose();
    expect(SHARD_BYTES).toBe(4 * 1024 * 1024);
  });

  it('replaces an existing model folder, but refuses a folder that is not a model', async () => {
    const model = new EffNetModel(tinySpec(), { seed: 1 });
    const out = path.join(dir, 'again');
    await saveModel(model, out);
    await saveModel(model, out);
    expect((await readdir(dir)).filter((f) => f.startsWith('.again'))).toEqual([]);
    const other = path.join(dir, 'mine');
    await mkdir(other);
    await writeFile(path.join(other, 'notes.txt'), 'keep me');
    await expect(saveModel(model, other)).rejects.toThrow(/mine: exists and is not a model folder/);
    expect(await readFile(path.join(other, 'notes.txt'), 'utf8')).toBe('keep me');
    model.dispose();
  });

  it('names the file when a shard is truncated or missing, or the folder is not a model', async () => {
    const model = new EffNetModel(tinySpec(), { seed: 1 });
    const out = path.join(dir, 'broken');
    await saveModel(model, out);
    model.dispose();
    const shard = path.join(out, 'group1-shard1of1.bin');
    const bytes = await readFile(shard);
    await writeFile(shard, bytes.subarray(0, bytes.length - 8));
    await expect(loadModel(out)).rejects.toThrow(/broken\/model\.json: weights: shards do not hold the bytes the manifest lists/);
    await rm(shard);
    await expect(loadModel(out)).rejects.toThrow(/group1-shard1of1\.bin: weight shard listed in model\.json is missing/);
    await expect(loadModel(path.join(dir, 'nothing-here'))).rejects.toThrow(/nothing-here: does not exist/);
    await writeFile(path.join(dir, 'a-file'), 'not a model');
    await expect(loadModel(path.join(dir, 'a-file'))).rejects.toThrow(/a-file: is a file, not a saved model folder/);
    await writeFile(path.join(out, 'model.json'), JSON.stringify({ modelTopology: { format: 'layers-model' }, weightsManifest: [] }));
    await expect(loadModel(out)).rejects.toThrow(/modelTopology\.format: is not an effnet model/);
  });

  describe('a model.json never reads outside its folder', () => {
    async function hostile(name: string, edit: (json: { weightsManifest: { paths: string[] }[] }, out: string) => Promise<void> | void): Promise<string> {
      const model = new EffNetModel(tinySpec(), { seed: 1 });
      const out = path.join(dir, name);
      await saveModel(model, out);
      model.dispose();
      const file = path.join(out, 'model.json');
      const json = JSON.parse(await readFile(file, 'utf8'));
      await edit(json, out);
      await writeFile(file, JSON.stringify(json));
      return out;
    }
    /** A copy of a model's shard outside its folder: the file a hostile manifest would point at. */
    async function outsideCopy(out: string, name: string): Promise<string> {
      const outside = path.join(dir, name);
      await writeFile(outside, await readFile(path.join(out, 'group1-shard1of1.bin')));
      return outside;
    }

    it.each([
      ['a ../ path', (out: string) => outsideCopy(out, 'outside-dotdot.bin').then(() => '../outside-dotdot.bin'), /paths\[0\]: must be a file name inside the model folder/],
      ['an absolute path', (out: string) => outsideCopy(out, 'outside-absolute.bin'), /paths\[0\]: must be a file name inside the model folder/],
      ['a nested ../ path', (out: string) => outsideCopy(out, 'outside-nested.bin').then(() => 'sub/../../outside-nested.bin'), /paths\[0\]: must be a file name inside the model folder/],
    ])('refuses a shard path with %s, although the file it names exists and fits', async (_what, target, message) => {
      let shardPath = '';
      const out = await hostile(`escape-${_what.replace(/\W+/g, '-')}`, async (json, folder) => {
        shardPath = await target(folder);
        json.weightsManifest[0]!.paths = [shardPath];
      });
      await expect(loadModel(out)).rejects.toThrow(message);
    });

    it('refuses a shard that is a symbolic link to a file outside the folder', async () => {
      const out = await hostile('escape-symlink', async (json, folder) => {
        const outside = await outsideCopy(folder, 'outside-link.bin');
        await symlink(outside, path.join(folder, 'linked.bin'));
        json.weightsManifest[0]!.paths = ['linked.bin'];
      });
      await expect(loadModel(out)).rejects.toThrow(/paths\[0\]: is a link that points outside the model folder/);
    });

    it.each([
      ['a null group', (json: { weightsManifest: unknown[] }) => { json.weightsManifest = [null]; }, /weightsManifest\[0\]: must be an object/],
      ['a group without paths', (json: { weightsManifest: Record<string, unknown>[] }) => { delete json.weightsManifest[0]!.paths; }, /weightsManifest\[0\]\.paths: must be an array/],
      ['a negative shape', (json: { weightsManifest: { weights: { shape: number[] }[] }[] }) => { json.weightsManifest[0]!.weights[0]!.shape = [-3, 2]; }, /weights\[0\]\.shape\[0\]: is too small/],
      ['a fractional shape', (json: { weightsManifest: { weights: { shape: number[] }[] }[] }) => { json.weightsManifest[0]!.weights[0]!.shape = [1.5]; }, /weights\[0\]\.shape\[0\]: must be a whole number/],
      ['a quantized weight', (json: { weightsManifest: { weights: Record<string, unknown>[] }[] }) => { json.weightsManifest[0]!.weights[0]!.quantization = { dtype: 'uint8', scale: 1, min: 0 }; }, /weights\[0\]\.quantization: quantized weights are not supported/],
    ])('refuses a manifest with %s in one line', async (what, edit, message) => {
      const out = await hostile(`manifest-${what.replace(/\W+/g, '-')}`, (json) => edit(json as never));
      const error = await loadModel(out).then(() => undefined, (e: Error) => e);
      expect(error?.message).toMatch(message);
      expect(error?.message).not.toContain('\n');
      expect(error?.name).toBe('EffnetError');
    });

    it('refuses weights that are NaN or infinite, naming the weight', async () => {
      const out = await hostile('nan-weights', () => undefined);
      const shard = path.join(out, 'group1-shard1of1.bin');
      const bytes = await readFile(shard);
      new DataView(bytes.buffer, bytes.byteOffset).setFloat32(8, Number.NaN, true);
      await writeFile(shard, bytes);
      await reseal(out);
      const first = JSON.parse(await readFile(path.join(out, 'model.json'), 'utf8')).weightsManifest[0].weights[0].name as string;
      await expect(loadModel(out)).rejects.toThrow(new RegExp(`weights: ${first.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: holds a value that is not a finite number .*got NaN at element 2`));
    });
  });
});

describe('a model.json is checked against its architecture before anything is allocated', () => {
  async function saved(name: string, edit: (json: Record<string, any>, out: string) => Promise<void> | void): Promise<string> {
    const model = new EffNetModel(tinySpec(), { seed: 2, labels: ['a', 'b', 'c', 'd', 'e'] });
    const out = path.join(dir, name);
    await saveModel(model, out);
    model.dispose();
    const file = path.join(out, 'model.json');
    const json = JSON.parse(await readFile(file, 'utf8'));
    await edit(json, out);
    await writeFile(file, JSON.stringify(json));
    await reseal(out);
    return out;
  }
  const shardOf = (out: string) => path.join(out, 'group1-shard1of1.bin');

  it('refuses a weight listed twice, even when its bytes are there', async () => {
    const out = await saved('dup-weight', async (json, folder) => {
      const w = json.weightsManifest[0].weights;
      w.push({ ...w[0] });
      const shard = await readFile(shardOf(folder));
      const n = w[0].shape.reduce((a: number, b: number) => a * b, 1) * 4;
      await writeFile(shardOf(folder), Buffer.concat([shard, shard.subarray(0, n)]));
    });
    await expect(loadModel(out)).rejects.toThrow(/dup-weight\/model\.json: weightsManifest: stem\/conv\/kernel: is listed twice/);
  });

  it('refuses a shard listed twice and shards larger than the manifest, before reading them', async () => {
    const twice = await saved('dup-shard', (json) => { json.weightsManifest[0].paths = Array(1000).fill('group1-shard1of1.bin'); });
    await expect(loadModel(twice)).rejects.toThrow(/weightsManifest\[0\]\.paths\[1\]: lists a shard that is already listed/);
    const bigger = await saved('big-shard', async (_json, folder) => { await writeFile(shardOf(folder), Buffer.concat([await readFile(shardOf(folder)), Buffer.alloc(64)])); });
    await expect(loadModel(bigger)).rejects.toThrow(/weights: shards hold more bytes than the manifest lists/);
    const folderShard = await saved('folder-shard', async (_json, folder) => { await rm(shardOf(folder)); await mkdir(shardOf(folder)); });
    await expect(loadModel(folderShard)).rejects.toThrow(/paths\[0\]: is not a regular file \(expected a weight shard, got a folder\)/);
  });

  it('refuses an architecture its weights do not fit (a huge classifier is never allocated)', async () => {
    const huge = await saved('huge-head', (json) => {
      json.modelTopology.architecture.headChannels = 65536;
      json.modelTopology.architecture.numClasses = 1000000;
      delete json.modelTopology.labels;
    });
    await expect(loadModel(huge)).rejects.toThrow(/weightsManifest: head\/conv\/kernel: has a shape that does not fit the architecture \(expected \[1,1,16,65536\], got \[1,1,16,32\]\)/);
    const missing = await saved('missing-weight', async (json, folder) => {
      const last = json.weightsManifest[0].weights.pop();
      const shard = await readFile(shardOf(folder));
      await writeFile(shardOf(folder), shard.subarray(0, shard.length - last.shape.reduce((a: number, b: number) => a * b, 1) * 4));
    });
    await expect(loadModel(missing)).rejects.toThrow(/weightsManifest: classifier\/bias: is missing/);
    const extra = await saved('extra-weight', (json) => { json.weightsManifest[0].weights[0].name = 'stem/conv/extra'; });
    await expect(loadModel(extra)).rejects.toThrow(/weightsManifest: stem\/conv\/kernel: is missing/);
  });

  it('names the file for labels that do not fit the classes and for unknown block types', async () => {
    const labels = await saved('few-labels', (json) => { json.modelTopology.labels = ['a', 'b']; });
    await expect(loadModel(labels)).rejects.toThrow(/few-labels\/model\.json: modelTopology\.labels: must hold one label per class \(expected 5, got 2\)/);
    const block = await saved('unknown-block', (json) => { json.modelTopology.architecture.stages[1].type = 'no_such_block'; });
    await expect(loadModel(block)).rejects.toThrow(/unknown-block\/model\.json: stages\[1\]\.type: unknown block type "no_such_block"/);
  });

  it('refuses a negative BatchNorm variance, naming the weight', async () => {
    const out = await saved('negative-variance', () => undefined);
    const json = JSON.parse(await readFile(path.join(out, 'model.json'), 'utf8'));
    let offset = 0;
    for (const w of json.weightsManifest[0].weights) {
      if (w.name === 'stem/bn/moving_variance') break;
      offset += w.shape.reduce((a: number, b: number) => a * b, 1) * 4;
    }
    const bytes = await readFile(shardOf(out));
    new DataView(bytes.buffer, bytes.byteOffset).setFloat32(offset + 4, -1, true);
    await writeFile(shardOf(out), bytes);
    await reseal(out);
    await expect(loadModel(out)).rejects.toThrow(/weights: stem\/bn\/moving_variance: holds a negative variance \(expected finite values >= 0, got -1 at element 1\)/);
  });
});
