import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIdxDataset, MAX_IDX_BYTES, parseIdx } from './idx-dataset.js';

/** An IDX file of unsigned bytes. */
function idx(shape: number[], data: Uint8Array = new Uint8Array(shape.reduce((a, b) => a * b, 1))): Uint8Array {
  const out = new Uint8Array(4 + 4 * shape.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * shape.length);
  return out;
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'effnet-idx-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe('IDX limits', () => {
  it('stops inflating a gzip bomb at the size its header declares', async () => {
    const zeros = gzipSync(new Uint8Array(32 << 20));
    const bomb = Buffer.concat([gzipSync(idx([2, 4, 4], new Uint8Array(0))), ...Array.from({ length: 8 }, () => zeros)]); // 256 MiB inflated
    await expect(parseIdx(bomb, 'bomb.gz')).rejects.toThrow(/^bomb\.gz: inflates to more bytes than its header declares \(expected 48 bytes, got more than 48 bytes\)$/);
    const noHeader = Buffer.concat(Array.from({ length: 8 }, () => zeros));
    await expect(parseIdx(noHeader, 'zeros.gz')).rejects.toThrow(/zeros\.gz: type: only unsigned-byte IDX data is supported/);
  });

  it('refuses declared sizes over the limit before reading the data, plain or gzip', async () => {
    const huge = idx([65535, 65535, 65535], new Uint8Array(0));
    await expect(parseIdx(huge, 'huge.idx')).rejects.toThrow(new RegExp(`huge\\.idx: dimensions: declares more data than effnet reads \\(expected at most ${MAX_IDX_BYTES} bytes, got \\[65535, 65535, 65535\\]\\)`));
    await expect(parseIdx(gzipSync(huge), 'huge.idx.gz')).rejects.toThrow(/huge\.idx\.gz: dimensions: declares more data than effnet reads/);
  });

  it('names truncated and corrupt gzip files', async () => {
    const gz = gzipSync(idx([2, 2, 2]));
    await expect(parseIdx(gz.subarray(0, gz.length >> 1), 'cut.gz')).rejects.toThrow(/^cut\.gz: is not a valid gzip file: unexpected end of file$/);
    const bad = Uint8Array.from(gz);
    bad[bad.length - 6]! ^= 0xff;
    await expect(parseIdx(bad, 'crc.gz')).rejects.toThrow(/^crc\.gz: is not a valid gzip file/);
    expect((await parseIdx(gz, 'ok.gz')).shape).toEqual([2, 2, 2]);
  });

  it('refuses images without pixels and labels of fewer than 2 classes', async () => {
    const write = async (name: string, bytes: Uint8Array) => {
      await writeFile(path.join(tmp, name), bytes);
      return path.join(tmp, name);
    };
    const labels = await write('l3', idx([3], Uint8Array.from([0, 1, 0])));
    await expect(loadIdxDataset({ images: await write('h0', idx([3, 0, 4])), labels })).rejects.toThrow(/h0: dimensions: holds no pixels \(expected N, H, W >= 1, got \[3,0,4\]\)/);
    await expect(loadIdxDataset({ images: await write('n0', idx([0, 4, 4])), labels: await write('l0', idx([0])) })).rejects.toThrow(/n0: dimensions: holds no pixels/);
    const one = await write('l1', idx([3], new Uint8Array(3)));
    await expect(loadIdxDataset({ images: await write('i3', idx([3, 4, 4])), labels: one })).rejects.toThrow(/l1: labels name fewer than 2 classes; a classifier needs at least 2 \(expected labels of at least 2 classes, got 1 class\)/);
    expect((await loadIdxDataset({ images: path.join(tmp, 'i3'), labels: one, numClasses: 10 })).numClasses).toBe(10);
  });

  it.runIf(existsSync('/dev/zero'))('refuses a device instead of reading it without end', async () => {
    await symlink('/dev/zero', path.join(tmp, 'zero-images'));
    await expect(loadIdxDataset({ images: path.join(tmp, 'zero-images'), labels: path.join(tmp, 'l3') })).rejects.toThrow(/zero-images: is not a regular file/);
  });
});
