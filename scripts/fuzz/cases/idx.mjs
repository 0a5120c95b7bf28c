// Hostile IDX data sets (plain and gzip) for `effnet train --data <folder>`.
import { gzipSync } from 'node:zlib';
import { concatBytes, flipBit } from '../prng.mjs';
import { encodeIdx } from '../seeds.mjs';

const IMAGES = 'train-images-idx3-ubyte';
const LABELS = 'train-labels-idx1-ubyte';
const EVAL_IMAGES = 't10k-images-idx3-ubyte';
const EVAL_LABELS = 't10k-labels-idx1-ubyte';

/** The `effnet train` command line of every IDX case: one step of a tiny model on the cpu backend. */
export const TRAIN_ARGS = [
  'train', '--data', 'data', '--arch', 'arch.json', '--out', 'out/run', '--schedule', 'fixed', '--epochs', '1', '--batch-size', '4',
  '--max-steps', '1', '--backend', 'cpu', '--workers', '0', '--sizes', '16', '--eval-every', '0',
];

let zeros;
/** 2 GiB of zeros after `head`, as 32 gzip members (about 2 MB): a bomb for readers that inflate everything. */
function gzipBomb(head) {
  zeros ??= gzipSync(new Uint8Array(64 << 20), { level: 9 });
  return concatBytes(gzipSync(head), ...Array.from({ length: 32 }, () => zeros));
}

/** The cases. */
export function idxCases({ seeds, rng }) {
  const images = seeds.bytes.idxImages;
  const labels = seeds.bytes.idxLabels;
  const valid = { [IMAGES]: images, [LABELS]: labels, [EVAL_IMAGES]: images, [EVAL_LABELS]: labels };
  const cases = [];
  const add = (mutation, expect, data, extra = {}) => {
    const files = { 'arch.json': seeds.bytes.arch };
    for (const [name, value] of Object.entries({ ...valid, ...data })) if (value !== null) files[`data/${name}`] = value;
    cases.push({
      mutation,
      expect,
      args: extra.args ?? TRAIN_ARGS,
      files: { ...files, ...(extra.files ?? {}) },
      mentions: extra.mentions ?? [Object.keys(data).filter((k) => data[k] !== null)],
      timeoutMs: 30_000,
      ...(extra.quick ? { quick: true } : {}),
      ...(extra.outside ? { outside: extra.outside } : {}),
    });
  };
  const idx = (shape, data = new Uint8Array(shape.reduce((a, b) => a * b, 1))) => encodeIdx(shape, data);
  const setU32 = (bytes, at, v) => { const b = Uint8Array.from(bytes); new DataView(b.buffer).setUint32(at, v, false); return b; };

  add('valid seed', 'accept', {}, { quick: true });
  add('valid, gzip files', 'accept', { [IMAGES]: null, [LABELS]: null, [`${IMAGES}.gz`]: seeds.bytes.idxImagesGz, [`${LABELS}.gz`]: seeds.bytes.idxLabelsGz });
  add('valid, RGB images [N, H, W, 3]', 'accept', { [IMAGES]: seeds.bytes.idxRgb, [EVAL_IMAGES]: seeds.bytes.idxRgb });
  add('valid, no evaluation files', 'accept', { [EVAL_IMAGES]: null, [EVAL_LABELS]: null });
  add('valid, gzip in two members', 'either', { [IMAGES]: null, [`${IMAGES}.gz`]: concatBytes(gzipSync(images.subarray(0, 100)), gzipSync(images.subarray(100))) });
  add('valid, evaluation images of another size', 'either', { [EVAL_IMAGES]: idx([12, 20, 20]) });
  add('valid, 1x1 images', 'either', { [IMAGES]: idx([12, 1, 1]), [EVAL_IMAGES]: idx([12, 1, 1]) });

  // Truncation at every structure boundary, and at random points.
  const imageCuts = new Map([[0, 'empty file'], [2, 'before the type'], [4, 'after the magic'], [6, 'inside the first dimension'],
    [8, 'after the first dimension'], [15, 'inside the last dimension'], [16, 'header end, no data'], [16 + 72, 'middle of the data'], [images.length - 1, 'one byte short']]);
  for (const at of rng.distinct(2, 17, images.length - 1)) if (!imageCuts.has(at)) imageCuts.set(at, 'random point');
  let k = 0;
  for (const [at, where] of imageCuts) add(`images truncated at byte ${at} (${where})`, 'refuse', { [IMAGES]: images.subarray(0, at) }, { quick: k++ % 5 === 0 });
  for (const [at, where] of [[0, 'empty file'], [7, 'inside the dimension'], [labels.length - 1, 'one byte short']]) {
    add(`labels truncated at byte ${at} (${where})`, 'refuse', { [LABELS]: labels.subarray(0, at) });
  }
  add('evaluation labels truncated', 'refuse', { [EVAL_LABELS]: labels.subarray(0, labels.length - 2) });

  // Magic number.
  for (const [at, v, what] of [[0, 1, 'first byte 1'], [1, 0x80, 'second byte 0x80'], [2, 0x09, 'type 0x09 (signed bytes)'], [2, 0x0b, 'type 0x0B (shorts)'], [2, 0x0c, 'type 0x0C (ints)'],
    [2, 0x0d, 'type 0x0D (floats)'], [3, 0, 'rank 0'], [3, 2, 'rank 2'], [3, 5, 'rank 5'], [3, 255, 'rank 255']]) {
    add(`images ${what}`, 'refuse', { [IMAGES]: (() => { const b = Uint8Array.from(images); b[at] = v; return b; })() }, { quick: what === 'rank 255' });
  }
  add('labels rank 2', 'refuse', { [LABELS]: idx([12, 1], labels.subarray(8)) });

  // Dimensions.
  for (const [shape, what] of [[[0, 12, 12], 'zero images'], [[12, 0, 12], 'zero height'], [[12, 12, 0], 'zero width'], [[12, 12, 12, 2], 'two channels'], [[12, 12, 12, 4], 'four channels'], [[12, 12, 12, 0], 'zero channels']]) {
    add(`images with ${what}`, 'refuse', { [IMAGES]: idx(shape), ...(shape[0] === 0 ? { [LABELS]: idx([0]) } : {}) }, { mentions: [[IMAGES, LABELS]] });
  }
  for (const [at, v, what] of [[4, 0xffffffff, 'N = 2^32-1'], [4, 13, 'N one more than the data'], [4, 11, 'N one fewer than the data'], [8, 65535, 'height 65535'], [12, 0x80000000, 'width 2^31']]) {
    add(`images ${what}`, 'refuse', { [IMAGES]: setU32(images, at, v) }, { quick: what === 'N = 2^32-1' });
  }
  add('images with dimensions whose product passes 2^53', 'refuse', { [IMAGES]: concatBytes(idx([0xffffffff, 0xffffffff, 0xffffffff], new Uint8Array(0)), new Uint8Array(64)) });
  add('images 4-D with every dimension 2^32-1', 'refuse', { [IMAGES]: concatBytes(idx([1, 1, 1, 1]).subarray(0, 4), new Uint8Array(16).fill(0xff)) });
  add('labels counting 11 images', 'refuse', { [LABELS]: idx([11], labels.subarray(8, 19)) }, { mentions: [[IMAGES, LABELS]], quick: true });
  add('evaluation labels counting 13 images', 'refuse', { [EVAL_LABELS]: idx([13], new Uint8Array(13)) }, { mentions: [[EVAL_IMAGES, EVAL_LABELS]] });
  add('labels up to 255', 'either', { [LABELS]: idx([12], Uint8Array.from({ length: 12 }, (_, i) => (i === 5 ? 255 : i % 3))), [EVAL_IMAGES]: null, [EVAL_LABELS]: null });
  add('evaluation labels past the training classes', 'refuse', { [EVAL_LABELS]: idx([12], Uint8Array.from({ length: 12 }, (_, i) => (i === 3 ? 9 : 0))) });
  add('every label the same', 'either', { [LABELS]: idx([12], new Uint8Array(12)), [EVAL_LABELS]: idx([12], new Uint8Array(12)) }, { mentions: [[LABELS, EVAL_LABELS]] });
  add('a single image', 'either', { [IMAGES]: idx([1, 12, 12]), [LABELS]: idx([1]) }, { mentions: [[IMAGES, LABELS, EVAL_IMAGES, EVAL_LABELS]] });

  // Bit flips.
  for (const at of rng.distinct(2, 0, images.length)) add(`bit flip in the images (byte ${at})`, 'either', { [IMAGES]: flipBit(images, at, rng.int(0, 8)) });
  for (const at of rng.distinct(1, 0, labels.length)) add(`bit flip in the labels (byte ${at})`, 'either', { [LABELS]: flipBit(labels, at, rng.int(0, 8)) });

  // gzip.
  const gz = seeds.bytes.idxImagesGz;
  const gzCase = (mutation, expect, bytes, extra) => add(mutation, expect, { [IMAGES]: null, [`${IMAGES}.gz`]: bytes }, { mentions: [IMAGES], ...extra });
  gzCase('gzip bomb: 2 GiB of zeros after a [12, 12, 12] header', 'refuse', gzipBomb(images.subarray(0, 16)), { quick: true });
  gzCase('gzip bomb: 2 GiB of zeros after a [65535, 65535, 65535] header', 'refuse', gzipBomb(idx([65535, 65535, 65535], new Uint8Array(0))));
  gzCase('gzip bomb: 2 GiB of zeros, no header', 'refuse', gzipBomb(new Uint8Array(0)));
  gzCase('gzip truncated in half', 'refuse', gz.subarray(0, gz.length >> 1), { quick: true });
  gzCase('gzip magic only', 'refuse', gz.subarray(0, 2));
  gzCase('gzip with a bad CRC', 'refuse', (() => { const b = Uint8Array.from(gz); b[b.length - 6] ^= 0xff; return b; })());
  gzCase('gzip with a bad length trailer', 'refuse', (() => { const b = Uint8Array.from(gz); b[b.length - 1] ^= 0xff; return b; })());
  gzCase('gzip with trailing garbage', 'either', concatBytes(gz, new Uint8Array([1, 2, 3, 4, 5])));
  gzCase('gzip of nothing', 'refuse', gzipSync(new Uint8Array(0)));
  gzCase('gzip of random bytes', 'refuse', gzipSync(Uint8Array.from({ length: 300 }, () => rng.int(0, 256))));
  gzCase('gzip of a truncated IDX file', 'refuse', gzipSync(images.subarray(0, 100)));
  gzCase('gzip of an IDX file one byte long', 'refuse', gzipSync(concatBytes(images, new Uint8Array(1))));
  for (const at of rng.distinct(2, 10, gz.length - 8)) gzCase(`bit flip in the gzip data (byte ${at})`, 'either', flipBit(gz, at, rng.int(0, 8)));

  // The files and the folder.
  add('the images are a link to /dev/zero', 'refuse', { [IMAGES]: { symlink: '/dev/zero' } }, { quick: true });
  add('the images are a folder', 'refuse', { [IMAGES]: { dir: true } });
  add('the images are a link outside the case folder (valid file)', 'accept', { [IMAGES]: { symlink: '../../outside/images' } }, { outside: { images } });
  add('no labels file', 'refuse', { [LABELS]: null }, { mentions: ['data'] });
  add('--data does not exist', 'refuse', {}, { args: TRAIN_ARGS.map((a) => (a === 'data' ? 'nothing-here' : a)), mentions: ['nothing-here'] });
  add('--data is a file', 'refuse', {}, { args: TRAIN_ARGS.map((a) => (a === 'data' ? 'arch.json' : a)), mentions: ['arch.json'] });
  return cases;
}
