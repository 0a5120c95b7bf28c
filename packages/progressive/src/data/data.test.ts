import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchPipeline } from './batch-pipeline.js';
import { loadIdxDataset, parseIdx } from './idx-dataset.js';
import { ImageFolderDataset } from './image-folder.js';
import { TensorDataset } from './tensor-dataset.js';

let tmp: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  tmp = await mkdtemp(path.join(tmpdir(), 'effnet-data-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

/** An IDX file: magic 0x0000 08 <rank>, big-endian dimensions, bytes. */
function idx(shape: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * shape.length + data.length);
  const view = new DataView(out.buffer);
  out.set([0, 0, 8, shape.length]);
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, 4 + 4 * shape.length);
  return out;
}

function png(w: number, h: number, value: number): Buffer {
  const p = new PNG({ width: w, height: h });
  for (let i = 0; i < p.data.length; i += 4) p.data.set([value, value, 255 - value, 255], i);
  return PNG.sync.write(p);
}

describe('IDX', () => {
  it('reads images and labels (gzip or not), resizes on the device and replicates gray to RGB', async () => {
    const { gzipSync } = await import('node:zlib');
    const pixels = Uint8Array.from({ length: 3 * 4 * 4 }, (_, i) => i);
    await writeFile(path.join(tmp, 'img.idx.gz'), gzipSync(idx([3, 4, 4], pixels)));
    await writeFile(path.join(tmp, 'lab.idx'), idx([3], Uint8Array.from([2, 0, 1])));
    const ds = await loadIdxDataset({ images: path.join(tmp, 'img.idx.gz'), labels: path.join(tmp, 'lab.idx') });
    expect([ds.length, ds.numClasses, ds.label(0), ds.label(2)]).toEqual([3, 3, 2, 1]);
    const same = await ds.load([1], 4);
    expect(same.shape).toEqual([1, 4, 4, 3]);
    const d = same.dataSync();
    expect([d[0], d[1], d[2], d[3]]).toEqual([16, 16, 16, 17]);
    const big = await ds.load([0, 2], 8);
    expect(big.shape).toEqual([2, 8, 8, 3]);
    tf.dispose([same, big]);
  });

  it('a label outside the class count names the file and the example', async () => {
    await writeFile(path.join(tmp, 'img2.idx'), idx([2, 2, 2], new Uint8Array(8)));
    await writeFile(path.join(tmp, 'lab2.idx'), idx([2], Uint8Array.from([1, 12])));
    await expect(loadIdxDataset({ images: path.join(tmp, 'img2.idx'), labels: path.join(tmp, 'lab2.idx'), numClasses: 10 })).rejects.toThrow(
      /lab2\.idx: labels\[1\]: label of example 1 is outside the 10 classes \(expected 0\.\.9, got 12\)/,
    );
  });

  it('a truncated or foreign file is refused with its name', async () => {
    await expect(parseIdx(idx([2, 2, 2], new Uint8Array(5)), 'short.idx')).rejects.toThrow(/short\.idx: data size does not match the dimensions in the header \(expected 8, got 5\)/);
    await expect(parseIdx(Uint8Array.from([0x89, 0x50, 0x4e, 0x47]), 'x.png')).rejects.toThrow(/x\.png: is not an IDX file/);
  });
});

describe('image folders', () => {
  it('lists one class per sub-folder and decodes PNG at any size', async () => {
    const root = path.join(tmp, 'ok');
    for (const [c, v] of [['cat', 10], ['dog', 200]] as const) {
      await mkdir(path.join(root, c), { recursive: true });
      await writeFile(path.join(root, c, 'a.png'), png(5, 7, v));
      await writeFile(path.join(root, c, 'notes.txt'), 'ignored');
    }
    const ds = await ImageFolderDataset.open(root);
    expect([ds.classNames, ds.length, ds.label(0), ds.label(1)]).toEqual([['cat', 'dog'], 2, 0, 1]);
    const x = await ds.load([1], 6);
    expect(x.shape).toEqual([1, 6, 6, 3]);
    expect(Array.from(x.dataSync().slice(0, 3))).toEqual([200, 200, 55]);
    x.dispose();
  });

  it('an empty class folder is named', async () => {
    const root = path.join(tmp, 'empty');
    await mkdir(path.join(root, 'a'), { recursive: true });
    await mkdir(path.join(root, 'b'), { recursive: true });
    await writeFile(path.join(root, 'a', '1.png'), png(4, 4, 0));
    await expect(ImageFolderDataset.open(root)).rejects.toThrow(/empty[/\\]b: class folder has no \.png or \.jpg images/);
  });

  it('a corrupt image is named when it is loaded', async () => {
    const root = path.join(tmp, 'corrupt');
    await mkdir(path.join(root, 'a'), { recursive: true });
    await writeFile(path.join(root, 'a', 'good.png'), png(4, 4, 0));
    await writeFile(path.join(root, 'a', 'broken.png'), png(4, 4, 0).subarray(0, 30));
    await writeFile(path.join(root, 'a', 'fake.jpg'), 'not an image');
    const ds = await ImageFolderDataset.open(root);
    await expect(ds.load([0], 4)).rejects.toThrow(/broken\.png: could not be decoded/);
    await expect(ds.load([1], 4)).rejects.toThrow(/fake\.jpg: is not a PNG or JPEG image/);
  });
});

describe('tensors and batches', () => {
  it('in-memory tensors check their labels', () => {
    const x = tf.zeros([2, 4, 4, 1]) as tf.Tensor4D;
    expect(() => new TensorDataset(x, [0, 3], { numClasses: 3, source: 'mine' })).toThrow(/mine: labels\[1\]: label of example 1 is outside the 3 classes/);
    x.dispose();
  });

  it('the batch order depends only on the seed and the epoch; each step gets its size', async () => {
    const x = tf.zeros([10, 4, 4, 3]) as tf.Tensor4D;
    const ds = new TensorDataset(x, [0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
    const make = (seed: number) => new BatchPipeline(ds, { batchSize: 3, seed, sizeAt: (s) => (s < 3 ? 8 : 12) });
    const a = make(1);
    const b = make(1);
    expect(a.stepsPerEpoch).toBe(3);
    expect([...a.orderOf(0)].sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(b.indicesOf(4)).toEqual(a.indicesOf(4));
    expect(a.orderOf(1)).not.toEqual(a.orderOf(0));
    expect(make(2).orderOf(0)).not.toEqual(make(1).orderOf(0));
    const first = await a.get(2, 5);
    const later = await a.get(3, 5);
    expect([first.images.shape[1], later.images.shape[1], later.labels.length]).toEqual([8, 12, 3]);
    tf.dispose([first.images, later.images]);
    await a.dispose();
    ds.dispose();
    x.dispose();
  });

  it('with windows, smaller stages cut whole-pixel windows of the image at its own scale; the last stage sees all of it', async () => {
    // Image k holds 1000 k + 10 row + column (row, column < 8), exact in float32.
    const [n, side] = [6, 8];
    const pixels = Float32Array.from({ length: n * side * side }, (_, i) => 1000 * Math.floor(i / (side * side)) + 10 * Math.floor((i % (side * side)) / side) + (i % side));
    const x = tf.tensor4d(pixels, [n, side, side, 1]);
    const ds = new TensorDataset(x, [0, 1, 0, 1, 0, 1]);
    const pipeline = new BatchPipeline(ds, { batchSize: 3, seed: 4, sizeAt: (s) => (s < 2 ? 5 : 8), window: { finalSize: side } });
    const offsets = new Set<string>();
    for (let step = 0; step < 2; step++) {
      const boxes = pipeline.cropsOf(step)!;
      const batch = await pipeline.get(step, 2);
      const got = (await batch.images.data()) as Float32Array;
      expect(batch.images.shape).toEqual([3, 5, 5, 3]);
      const ids = pipeline.indicesOf(step);
      for (let b = 0; b < 3; b++) {
        const [top, left] = [boxes[b]!.top * side, boxes[b]!.left * side];
        expect([Number.isInteger(Math.round(top * 1e9) / 1e9), boxes[b]!.height]).toEqual([true, 5 / 8]);
        offsets.add(`${Math.round(top)},${Math.round(left)}`);
        for (let r = 0; r < 5; r++) {
          for (let c = 0; c < 5; c++) expect(got[((b * 5 + r) * 5 + c) * 3]).toBe(1000 * ids[b]! + 10 * (Math.round(top) + r) + Math.round(left) + c);
        }
      }
      batch.images.dispose();
    }
    expect(offsets.size).toBeGreaterThan(1);
    expect(pipeline.cropsOf(2)).toBeUndefined();
    const whole = await pipeline.get(2, 3);
    expect(Array.from((await whole.images.data()).slice(0, 6))).toEqual([1000 * pipeline.indicesOf(2)[0]!, 1000 * pipeline.indicesOf(2)[0]!, 1000 * pipeline.indicesOf(2)[0]!, 1000 * pipeline.indicesOf(2)[0]! + 1, 1000 * pipeline.indicesOf(2)[0]! + 1, 1000 * pipeline.indicesOf(2)[0]! + 1]);
    whole.images.dispose();
    await pipeline.dispose();
    ds.dispose();
    x.dispose();
  });
});
