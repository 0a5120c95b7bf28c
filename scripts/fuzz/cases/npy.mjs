// Hostile .npy inputs for `effnet predict <modelDir> x.npy`.
import { concatBytes, flipBit, setFloat32, utf8 } from '../prng.mjs';

const FILE = 'x.npy';
const MODEL = 'tiny-model';

/** A .npy file from header text and data (`major` 1: 2-byte length, 2 and 3: 4-byte length). */
export function encodeNpyRaw(header, data, { major = 1, minor = 0, length, pad = true } = {}) {
  const lenBytes = major === 1 ? 2 : 4;
  let text = header;
  if (pad) {
    const total = 8 + lenBytes + utf8(text).length + 1;
    text += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  }
  const body = utf8(text);
  const pre = new Uint8Array(8 + lenBytes);
  pre.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, minor]);
  const view = new DataView(pre.buffer);
  if (lenBytes === 2) view.setUint16(8, length ?? body.length, true);
  else view.setUint32(8, length ?? body.length, true);
  return concatBytes(pre, body, data);
}

const dict = (descr, shape, fortran = 'False') => `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;

/** The cases. */
export function npyCases({ seeds, rng }) {
  const bytes = seeds.bytes.npy;
  const headerLen = new DataView(bytes.buffer, bytes.byteOffset).getUint16(8, true);
  const dataStart = 10 + headerLen;
  const data = bytes.subarray(dataStart);
  const n = data.length / 4;
  const cases = [];
  const add = (mutation, expect, file, extra = {}) =>
    cases.push({
      mutation,
      expect,
      args: ['predict', MODEL, FILE, ...(extra.more ?? []), '--backend', 'cpu', '--json', '--save-logits', extra.logits ?? 'out/logits.npy'],
      files: { [MODEL]: { copyDir: seeds.files.model }, ...(file !== undefined ? { [FILE]: file } : {}), ...(extra.files ?? {}) },
      mentions: extra.mentions ?? [FILE],
      check: 'predict-json',
      ...(extra.quick ? { quick: true } : {}),
      ...(extra.outside ? { outside: extra.outside } : {}),
    });
  const shape = '(1, 32, 32, 3)';

  add('valid seed [1, 32, 32, 3]', 'accept', bytes, { quick: true });
  add('valid [2, 24, 20, 3]', 'accept', seeds.bytes.npy2);
  add('valid uint8 data', 'accept', encodeNpyRaw(dict('|u1', shape), Uint8Array.from({ length: n }, (_, i) => i % 256)));
    add('valid format 3.0 (utf-8 header)', 'accept', encodeNpyRaw(dict('<f4', shape), data, { major: 3 }));
    add('valid, same count as [1, 16, 64, 3]', 'accept', encodeNpyRaw(dict('<f4', '(1, 16, 64, 3)'), data));
  add('valid, keys in another order', 'accept', encodeNpyRaw(`{'shape': ${shape}, 'fortran_order': False, 'descr': '<f4'}`, data));
  add('valid, two inputs', 'accept', bytes, { more: ['y.npy'], files: { 'y.npy': seeds.bytes.npy2 } });
  add('valid, a tiny value (1e-42)', 'accept', setFloat32(bytes, dataStart + 4, 1e-42));

  // Truncation at every structure boundary, and at random points.
  const cuts = new Map([
    [0, 'empty file'], [5, 'inside the magic'], [8, 'after the version'],
    [10, 'after the header length'], [10 + Math.floor(headerLen / 2), 'middle of the header'], [dataStart - 1, 'last header byte'],
    [dataStart, 'header end, no data'], [dataStart + 1, 'one data byte'], [dataStart + Math.floor(data.length / 2), 'middle of the data'], [bytes.length - 1, 'one byte short'],
  ]);
  for (const at of rng.distinct(3, 1, bytes.length - 1)) if (!cuts.has(at)) cuts.set(at, 'random point');
  let k = 0;
  for (const [at, where] of cuts) add(`truncated at byte ${at} (${where})`, 'refuse', bytes.subarray(0, at), { quick: k++ % 5 === 0 });

  // Version and header length.
  for (const major of [0, 255]) add(`format version ${major}.0`, 'refuse', (() => { const b = Uint8Array.from(bytes); b[6] = major; return b; })());
  add('format minor version 9', 'either', (() => { const b = Uint8Array.from(bytes); b[7] = 9; return b; })());
  for (const [len, what, expect] of [[0, 'zero', 'refuse'], [65535, '65535', 'refuse'], [headerLen - 1, 'one short', 'refuse'], [headerLen + 1, 'one long', 'refuse']]) {
    add(`header length ${what}`, expect, (() => { const b = Uint8Array.from(bytes); new DataView(b.buffer).setUint16(8, len, true); return b; })(), { quick: what === '65535' });
  }
  add('format 2.0 header length 2^32-1', 'refuse', encodeNpyRaw(dict('<f4', shape), data, { major: 2, length: 0xffffffff }));
  add('format 2.0 cut inside its 4-byte header length', 'refuse', encodeNpyRaw(dict('<f4', shape), data, { major: 2 }).subarray(0, 10), { quick: true });

  // descr and fortran_order.
  for (const descr of ['<f8', '>f4', '<i4', '|O']) {
    add(`descr '${descr}'`, 'refuse', encodeNpyRaw(dict(descr, shape), data), { quick: descr === '>f4' });
  }
  add('descr missing', 'refuse', encodeNpyRaw(`{'fortran_order': False, 'shape': ${shape}, }`, data));
  add('header in double quotes', 'either', encodeNpyRaw(`{"descr": "<f4", "fortran_order": False, "shape": ${shape}, }`, data));
  add('descr listed twice', 'either', encodeNpyRaw(`{'descr': '<f8', 'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`, data));
  add('an unknown key', 'either', encodeNpyRaw(`{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, 'extra': 1, }`, data));
  add('fortran_order True', 'refuse', encodeNpyRaw(dict('<f4', shape, 'True'), data));
  add('fortran_order Maybe', 'refuse', encodeNpyRaw(dict('<f4', shape, 'Maybe'), data));
  add('fortran_order missing', 'refuse', encodeNpyRaw(`{'descr': '<f4', 'shape': ${shape}, }`, data));
  add('header not a dict', 'refuse', encodeNpyRaw('[1, 2, 3]', data));
  add('header of binary garbage', 'refuse', encodeNpyRaw(String.fromCharCode(...Array.from({ length: 100 }, () => rng.int(0, 256))), data, { major: 2 }));

  // shape.
  for (const [s, what, expect] of [
    ['()', 'a scalar', 'refuse'], ['(0, 32, 32, 3)', 'zero images', 'refuse'], ['(1, 32, 32, 3, 1)', 'rank 5', 'refuse'], ['(-1, 32, 32, 3)', 'negative', 'refuse'],
    ['(1099511627776, 32, 32, 3)', '2^40 images', 'refuse'], ['(99999999999, 99999999999, 99999999999, 3)', 'a product past 2^53', 'refuse'],
    ['(1, 0, 0, 3)', 'zero height and width', 'refuse'], ['(1, 32, 96)', 'rank 3', 'refuse'],
    ['(1,, 32, 32, 3)', 'an empty element', 'either'], ['((1, 32), 32, 3)', 'nested', 'refuse'], ['(1, 32, 32, 3', 'no closing parenthesis', 'refuse'],
    ['(2, 32, 32, 3)', 'twice the images of the data', 'refuse'], ['(1, 16, 32, 3)', 'half the images of the data', 'refuse'],
    ['(1, 3.2e1, 32, 3)', 'an exponent', 'either'], ['(1, 32, 32, 1e999)', '1e999', 'refuse'],
  ]) add(`shape ${what} ${s}`, expect, encodeNpyRaw(dict('<f4', s), data), { quick: what === 'twice the images of the data' || what === '2^40 images' });

  // Values.
  for (const [i, v] of [[0, NaN], [n - 1, Infinity], [n >> 1, -Infinity]]) add(`${v} at element ${i}`, 'refuse', setFloat32(bytes, dataStart + 4 * i, v), { quick: i === 0 });
  add('every value 3.4e38', 'either', encodeNpyRaw(dict('<f4', shape), new Uint8Array(new Float32Array(n).fill(3.4e38).buffer)));
  
  // Bit flips.
  for (const at of rng.distinct(3, 0, dataStart)) add(`bit flip in the header (byte ${at})`, 'either', flipBit(bytes, at, rng.int(0, 8)));
  for (const at of rng.distinct(3, dataStart, bytes.length)) add(`bit flip in the data (byte ${at})`, 'either', flipBit(bytes, at, rng.int(0, 8)));
  add('4 trailing bytes after the data', 'refuse', concatBytes(bytes, new Uint8Array(4)));

  // The file itself and the other arguments.
  add('the input is a link to /dev/zero', 'refuse', undefined, { files: { [FILE]: { symlink: '/dev/zero' } }, quick: true });
  add('the input is a folder', 'refuse', undefined, { files: { [FILE]: { dir: true } } });
  add('the input does not exist', 'refuse', undefined);
  add('the input is a link outside the case folder (valid file)', 'accept', undefined, { files: { [FILE]: { symlink: '../outside/in.npy' } }, outside: { 'in.npy': bytes } });
  add('a valid input, then a truncated one', 'refuse', bytes, { more: ['y.npy'], files: { 'y.npy': bytes.subarray(0, 50) }, mentions: ['y.npy'] });
  add('--save-logits names an existing folder', 'refuse', bytes, { logits: 'out/taken', files: { 'out/taken': { dir: true } }, mentions: [['taken', '--save-logits']] });
  add('--save-logits names a path under a file', 'refuse', bytes, { logits: 'x.npy/logits.npy', mentions: [['logits.npy', '--save-logits']] });
  return cases;
}
