import { copyFile, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EffNetModel } from '../model/effnet-model.js';
import { tinySpec } from '../test-support/tiny-network.js';
import { useTinyModelFolder } from '../test-support/temp-folder.js';
import { WEIGHTS_DIGEST_FIELD } from './file-handler.js';
import { loadModel, saveModel } from './model-format.js';

const folder = useTinyModelFolder('effnet-folder-');
let dir: string;
beforeAll(() => {
  dir = folder();
});

/** Saves a tiny model with `seed` to `out`; returns its first weight's values. */
async function saveSeed(out: string, seed: number): Promise<Float32Array> {
  const model = new EffNetModel(tinySpec(), { seed });
  await saveModel(model, out);
  const first = model.weights.values().next().value!.dataSync() as Float32Array;
  model.dispose();
  return first;
}

async function firstWeight(folder: string): Promise<Float32Array> {
  const model = await loadModel(folder);
  const values = model.weights.values().next().value!.dataSync() as Float32Array;
  model.dispose();
  return values;
}

describe('FolderHandler: readers never see a mix of two saves', () => {
  it('writes the SHA-256 of the weight bytes into model.json', async () => {
    const out = path.join(dir, 'digest');
    await saveSeed(out, 1);
    const json = JSON.parse(await readFile(path.join(out, 'model.json'), 'utf8'));
    const shard = await readFile(path.join(out, json.weightsManifest[0].paths[0]));
    expect(json[WEIGHTS_DIGEST_FIELD]).toBe(createHash('sha256').update(shard).digest('hex'));
  });

  it("refuses one save's model.json with another save's shards, naming the field", async () => {
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    await saveSeed(a, 1);
    await saveSeed(b, 2);
    await copyFile(path.join(b, 'group1-shard1of1.bin'), path.join(a, 'group1-shard1of1.bin'));
    await expect(loadModel(a)).rejects.toThrow(/a\/model\.json: weightsSha256: the weight shards do not match model\.json .*\(expected [0-9a-f]{64}, got [0-9a-f]{64}\)$/);
  });

  it('loads folders saved without a digest (earlier versions)', async () => {
    const out = path.join(dir, 'old');
    const expected = await saveSeed(out, 3);
    const file = path.join(out, 'model.json');
    const json = JSON.parse(await readFile(file, 'utf8'));
    delete json[WEIGHTS_DIGEST_FIELD];
    await writeFile(file, JSON.stringify(json));
    expect(await firstWeight(out)).toEqual(expected);
  });

  it('waits while a live writer replaces the folder, then reads the new model whole', async () => {
    const out = path.join(dir, 'swap');
    await saveSeed(out, 4);
    const fresh = path.join(dir, 'fresh');
    const expected = await saveSeed(fresh, 5);
    // A writer (this process: alive) caught between its two renames: the folder is gone, its new
    // copy sits beside it. The reader must wait for it rather than fail or read half of it.
    const old = path.join(dir, `.swap.old-${process.pid}-test`);
    const tmp = path.join(dir, `.swap.tmp-${process.pid}-test`);
    await rename(out, old);
    await rename(fresh, tmp);
    const reading = firstWeight(out);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await rename(tmp, out);
    await rm(old, { recursive: true });
    expect(await reading).toEqual(expected);
  });

  it('fails at once on a folder that does not exist when nobody writes it', async () => {
    const t = Date.now();
    await expect(loadModel(path.join(dir, 'nowhere'))).rejects.toThrow(/nowhere: does not exist$/);
    expect(Date.now() - t).toBeLessThan(5_000);
    await mkdir(path.join(dir, 'empty'));
    await expect(loadModel(path.join(dir, 'empty'))).rejects.toThrow(/empty: has no model\.json/);
  });
});

describe('write errors', () => {
  it('turns disk full, read-only and permission errors into one line naming the path', async () => {
    const { writeError, fileSystemReason } = await import('./node-fs.js');
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    expect((writeError(full, '/out/model') as Error).message).toBe('/out/model: cannot write: no space left on the device (ENOSPC); nothing was written');
    expect(fileSystemReason(Object.assign(new Error('x'), { code: 'EROFS' }))).toBe('the file system is read-only');
    const other = new Error('something else');
    expect(writeError(other, '/out')).toBe(other);
    expect(fileSystemReason(Object.assign(new Error('x'), { code: 'toString' }))).toBeUndefined();
  });
});
