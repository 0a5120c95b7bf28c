import { EffnetError, readInputFile } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { checkLabels, classCount } from './check-labels.js';
import type { ImageDataset } from './dataset.js';
import { pixelsToBatch } from './grid-images.js';
import { LoaderThread } from './loader-thread.js';
import type { CropBox } from './random-crop.js';

/** A parsed IDX file: unsigned bytes and their dimensions. */
export interface IdxArray {
  shape: number[];
  data: Uint8Array;
}

/**
 * Most data bytes an IDX file may declare (1 GiB; Fashion-MNIST's training images are 47 MB).
 * Larger declarations are refused before anything is allocated or inflated.
 */
export const MAX_IDX_BYTES = 2 ** 30;

/** The header of an IDX file: its dimensions, header size and declared data size; checked. */
function readIdxHeader(raw: Uint8Array, file: string): { shape: number[]; headerBytes: number; count: number } {
  if (raw.length < 4 || raw[0] !== 0 || raw[1] !== 0) throw new EffnetError('BAD_IDX', 'is not an IDX file (bad magic number)', { file, expected: '00 00 08 <rank>', actual: [...raw.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ') });
  if (raw[2] !== 0x08) throw new EffnetError('BAD_IDX', 'only unsigned-byte IDX data is supported', { file, field: 'type', expected: '0x08', actual: `0x${raw[2]!.toString(16)}` });
  const rank = raw[3]!;
  const headerBytes = 4 + 4 * rank;
  if (raw.length < headerBytes) throw new EffnetError('BAD_IDX', 'is truncated inside its header', { file, expected: `${headerBytes} header bytes for rank ${rank}`, actual: `${raw.length} bytes` });
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const shape = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const count = shape.reduce((a, b) => a * b, 1);
  if (count > MAX_IDX_BYTES) throw new EffnetError('BAD_IDX', 'declares more data than effnet reads', { file, field: 'dimensions', expected: `at most ${MAX_IDX_BYTES} bytes`, actual: `[${shape.join(', ')}]` });
  return { shape, headerBytes, count };
}

/**
 * Inflates a gzip-compressed IDX file, stopping as soon as the output passes what its own header
 * declares (so a small file cannot inflate into gigabytes).
 */
async function gunzipIdx(bytes: Uint8Array, file: string): Promise<Uint8Array> {
  const { createGunzip } = await import('node:zlib');
  return new Promise((resolve, reject) => {
    const z = createGunzip();
    const chunks: Uint8Array[] = [];
    let total = 0;
    let limit = 4 + 4 * 255;
    let header: Uint8Array | undefined;
    let settled = false;
    const fail = (e: unknown) => {
      if (settled) return;
      settled = true;
      z.destroy();
      reject(e);
    };
    z.on('data', (chunk: Uint8Array) => {
      if (settled) return;
      chunks.push(chunk);
      total += chunk.length;
      try {
        if (!header && total >= 4) {
          const head = Buffer.concat(chunks);
          if (head.length >= 4 + 4 * head[3]! || head[0] !== 0 || head[1] !== 0 || head[2] !== 0x08) {
            const h = readIdxHeader(head, file);
            header = head;
            limit = h.headerBytes + h.count;
          }
        }
      } catch (e) {
        fail(e);
        return;
      }
      if (total > limit) fail(new EffnetError('BAD_IDX', 'inflates to more bytes than its header declares', { file, expected: `${limit} bytes`, actual: `more than ${limit} bytes` }));
    });
    z.on('error', (e) => fail(new EffnetError('BAD_IDX', `is not a valid gzip file: ${e.message}`, { file })));
    z.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(new Uint8Array(Buffer.concat(chunks)));
    });
    z.end(bytes);
  });
}

/**
 * Parses the IDX format of MNIST and Fashion-MNIST (gzip-compressed or not): a magic number
 * `0x0000 08 <rank>` (unsigned bytes), the dimensions as big-endian 32-bit integers, then the data,
 * which must fill the file exactly. Declared sizes are checked against {@link MAX_IDX_BYTES} and
 * gzip input is inflated only as far as its header declares.
 */
export async function parseIdx(bytes: Uint8Array, file: string): Promise<IdxArray> {
  const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? await gunzipIdx(bytes, file) : bytes;
  const { shape, headerBytes, count } = readIdxHeader(raw, file);
  if (raw.length - headerBytes !== count) throw new EffnetError('BAD_IDX', 'data size does not match the dimensions in the header', { file, expected: count, actual: raw.length - headerBytes });
  return { shape, data: raw.subarray(headerBytes) };
}

/** Options of {@link loadIdxDataset}. */
export interface IdxDatasetOptions {
  /** The images file (`[N, H, W]` or `[N, H, W, C]`). */
  images: string;
  /** The labels file (`[N]`). */
  labels: string;
  /** Number of classes (default: largest label + 1). */
  numClasses?: number;
  /** Class names. */
  classNames?: string[];
  /** Use only the first `limit` examples. */
  limit?: number;
}

/** A dataset held in memory as bytes; images are resized on the device per batch. */
export class PixelDataset implements ImageDataset {
  readonly length: number;
  private readonly pixelsPerImage: number;
  private thread: LoaderThread | undefined;

  constructor(
    private readonly pixels: Uint8Array,
    private readonly shape: [number, number, number],
    private readonly labels: Uint8Array | Int32Array,
    readonly numClasses: number,
    readonly source: string,
    readonly classNames?: string[],
  ) {
    this.length = labels.length;
    this.pixelsPerImage = shape[0] * shape[1] * shape[2];
  }

  label(index: number): number {
    return this.labels[index]!;
  }

  async startLoaderThread(): Promise<boolean> {
    if (this.thread) return true;
    if (this.shape[2] !== 1 && this.shape[2] !== 3) return false;
    this.thread = await LoaderThread.start(this.pixels, this.shape);
    return !!this.thread;
  }

  async stopLoaderThread(): Promise<void> {
    const thread = this.thread;
    this.thread = undefined;
    await thread?.close();
  }

  async load(indices: readonly number[], size: number, crops?: readonly (CropBox | undefined)[]): Promise<tf.Tensor4D> {
    if (this.thread) {
      const data = await this.thread.load(indices, size, crops);
      return tf.tensor4d(data, [indices.length, size, size, 3]);
    }
    const n = this.pixelsPerImage;
    const out = new Uint8Array(indices.length * n);
    indices.forEach((id, k) => out.set(this.pixels.subarray(id * n, (id + 1) * n), k * n));
    return pixelsToBatch(out, [indices.length, ...this.shape], size, crops);
  }
}

/**
 * Reads an IDX image file and its label file (e.g. Fashion-MNIST's) into a dataset: dimensions,
 * counts and labels are checked (at least one image with pixels, at least 2 classes).
 */
export async function loadIdxDataset(o: IdxDatasetOptions): Promise<PixelDataset> {
  const read = (f: string) => readInputFile(f, { what: 'IDX file', code: 'BAD_IDX' });
  const images = await parseIdx(await read(o.images), o.images);
  const labels = await parseIdx(await read(o.labels), o.labels);
  if (images.shape.length !== 3 && images.shape.length !== 4) throw new EffnetError('BAD_IDX', 'images must have 3 or 4 dimensions', { file: o.images, expected: '[N, H, W] or [N, H, W, C]', actual: images.shape });
  if (labels.shape.length !== 1) throw new EffnetError('BAD_IDX', 'labels must have 1 dimension', { file: o.labels, expected: '[N]', actual: labels.shape });
  if (labels.shape[0] !== images.shape[0]) throw new EffnetError('BAD_IDX', 'labels and images differ in count', { file: o.labels, expected: images.shape[0], actual: labels.shape[0] });
  const channels = images.shape[3] ?? 1;
  if (channels !== 1 && channels !== 3) throw new EffnetError('BAD_IDX', 'images must have 1 or 3 channels', { file: o.images, expected: '1 or 3', actual: channels });
  if (images.shape.slice(0, 3).some((d) => d < 1)) throw new EffnetError('BAD_IDX', 'holds no pixels', { file: o.images, field: 'dimensions', expected: 'N, H, W >= 1', actual: images.shape });
  const count = Math.min(labels.shape[0]!, o.limit ?? Infinity);
  const numClasses = o.numClasses ?? o.classNames?.length ?? classCount(labels.data);
  if (numClasses < 2) throw new EffnetError('BAD_IDX', 'labels name fewer than 2 classes; a classifier needs at least 2', { file: o.labels, expected: 'labels of at least 2 classes', actual: `${numClasses} class${numClasses === 1 ? '' : 'es'}` });
  const y = labels.data.subarray(0, count);
  checkLabels(y, numClasses, o.labels);
  const [, h, w] = images.shape as [number, number, number];
  return new PixelDataset(images.data.subarray(0, count * h * w * channels), [h, w, channels], y, numClasses, o.images, o.classNames);
}
