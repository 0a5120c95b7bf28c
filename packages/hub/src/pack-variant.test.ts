import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createModel, saveModel } from '@effnet/core';
import { registerBlocks } from '@effnet/blocks';
import { registerVariants } from '@effnet/scaling';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packVariant } from './pack-variant.js';

let tmp: string;
let modelDir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  registerBlocks();
  registerVariants();
  tmp = await mkdtemp(path.join(tmpdir(), 'effnet-pack-'));
  modelDir = path.join(tmp, 'model');
  const model = createModel({ base: 'efficientnetv2-b0', width: 0.25, depth: 0.25, numClasses: 2 }, { seed: 1 });
  await saveModel(model, modelDir);
  model.dispose();
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe('packVariant with bad metadata', () => {
  it('names the metadata file and the field, and writes nothing', async () => {
    const out = path.join(tmp, 'pkg');
    await expect(packVariant(modelDir, { name: '@fuzz/x', out, metadata: { labels: 5 } as never, metadataFile: 'meta.json' })).rejects.toThrow(/^meta\.json: labels: must be an array/);
    await expect(packVariant(modelDir, { name: '@fuzz/x', out, metadata: { cropPct: -1 } as never })).rejects.toThrow(/^metadata: cropPct: is too small/);
    expect(await readdir(tmp)).toEqual(['model']);
  });
});
