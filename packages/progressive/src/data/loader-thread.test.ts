import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchPipeline } from './batch-pipeline.js';
import { PixelDataset } from './idx-dataset.js';
import { LoaderThread } from './loader-thread.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** `count` images of `shape` with pseudo-random bytes, labels 0..9. */
function dataset(count: number, shape: [number, number, number]): PixelDataset {
  let s = 11;
  const pixels = Uint8Array.from({ length: count * shape[0] * shape[1] * shape[2] }, () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 24));
  return new PixelDataset(pixels, shape, Uint8Array.from({ length: count }, (_, i) => i % 10), 10, 'test pixels');
}

/** Every batch of `steps` steps, as plain arrays. */
async function batches(ds: PixelDataset, sizes: number[], crop: boolean): Promise<Float32Array[]> {
  const pipeline = new BatchPipeline(ds, {
    batchSize: 8,
    seed: 3,
    sizeAt: (step) => sizes[step % sizes.length]!,
    ...(crop ? { crop: { scale: [0.5, 1] as [number, number], ratio: [0.75, 4 / 3] as [number, number], flip: 0.5 } } : {}),
    window: { finalSize: Math.max(...sizes) },
  });
  const out: Float32Array[] = [];
  for (let step = 0; step < 6; step++) {
    const b = await pipeline.get(step, 6);
    out.push(b.images.dataSync() as Float32Array);
    b.images.dispose();
  }
  await pipeline.dispose();
  return out;
}

describe('a batch-loader thread', () => {
  const threads: PixelDataset[] = [];
  afterAll(async () => {
    for (const ds of threads) await ds.stopLoaderThread();
  });

  it.each([
    ['grey 28 px, windows and flips', [28, 28, 1] as [number, number, number], [16, 20, 24, 28], false],
    ['grey 28 px, random resized crops', [28, 28, 1] as [number, number, number], [24, 28], true],
    ['RGB 13x20, resized', [13, 20, 3] as [number, number, number], [9, 17], true],
  ])('makes the same batches, bit for bit, as the calling thread (%s)', async (_, shape, sizes, crop) => {
    const here = await batches(dataset(40, shape), sizes, crop);
    const ds = dataset(40, shape);
    threads.push(ds);
    // The thread runs the package's built entry (dist/batch-loader.js): `npm test` builds it first.
    expect(await ds.startLoaderThread(), 'dist/batch-loader.js is missing: run npm run build').toBe(true);
    const before = tf.memory().numTensors;
    const there = await batches(ds, sizes, crop);
    expect(tf.memory().numTensors).toBe(before);
    expect(there.length).toBe(here.length);
    there.forEach((b, i) => expect(Buffer.from(b.buffer).equals(Buffer.from(here[i]!.buffer)), `step ${i}`).toBe(true));
    await ds.stopLoaderThread();
    // Stopped: batches are made on this thread again, the same ones.
    const again = await batches(ds, sizes, crop);
    again.forEach((b, i) => expect(Buffer.from(b.buffer).equals(Buffer.from(here[i]!.buffer))).toBe(true));
  });

  it('refuses batches once closed, naming the thread', async () => {
    const thread = await LoaderThread.start(new Uint8Array(4 * 4 * 4), [4, 4, 1]);
    expect(thread).toBeDefined();
    expect((await thread!.load([0, 1], 4)).length).toBe(2 * 4 * 4 * 3);
    const pending = thread!.load([0, 1, 2, 3], 2).then(() => 'made', (e: Error) => e.message);
    await thread!.close();
    await expect(pending).resolves.toMatch(/made|batch loader thread was closed/);
    await expect(thread!.load([0], 4)).rejects.toThrow(/batch loader thread was closed/);
  });
});

describe('a process waiting only for its loader thread', () => {
  it('stays alive until the batch comes (the thread is unreferenced only while idle)', async () => {
    const { execFileSync } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const dist = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
    const script = `
      await import('@tensorflow/tfjs-backend-cpu');
      const { PixelDataset } = await import(${JSON.stringify(dist)});
      const ds = new PixelDataset(new Uint8Array(4 * 28 * 28), [28, 28, 1], new Uint8Array([0, 1, 0, 1]), 2, 'x');
      if (!(await ds.startLoaderThread())) throw new Error('no thread');
      const t = await ds.load([0, 1, 2, 3], 24);
      console.log(t.shape.join('x'));
      await ds.stopLoaderThread();`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: fileURLToPath(new URL('../..', import.meta.url)) });
    expect(out.trim().split('\n').pop()).toBe('4x24x24x3');
  });
});
