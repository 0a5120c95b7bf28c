import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EffNetModel } from '../model/effnet-model.js';
import { registerTestBlock, tinySpec } from '../test-support/tiny-network.js';
import { SHARD_BYTES } from './file-handler.js';
import { loadModel, saveModel } from './model-format.js';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  registerTestBlock();
  dir = await mkdtemp(path.join(tmpdir(), 'effnet-io-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

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
    await writeFile(path.join(out, 'model.json'), JSON.stringify({ modelTopology: { format: 'layers-model' }, weightsManifest: [] }));
    await expect(loadModel(out)).rejects.toThrow(/modelTopology\.format: is not an effnet model/);
  });
});
