// Hostile safetensors checkpoints for `effnet convert x.safetensors --from timm`.
import { convertCaseAdder } from './convert-case.mjs';
import { concatBytes, deepJson, flipBit, scramble, setFloat32, utf8 } from '../prng.mjs';

const FILE = 'x.safetensors';

/** A safetensors file from a header (object or raw JSON text) and a data region, header padded to 8 bytes. */
export function encodeSafetensorsRaw(header, data, { pad = true, length } = {}) {
  let text = typeof header === 'string' ? header : JSON.stringify(header);
  if (pad) text += ' '.repeat((8 - ((8 + utf8(text).length) % 8)) % 8);
  const json = typeof text === 'string' ? utf8(text) : text;
  const head = new Uint8Array(8);
  new DataView(head.buffer).setBigUint64(0, BigInt(length ?? json.length), true);
  return concatBytes(head, json, data);
}

/** The cases; `seeds` from makeSeeds, `rng` a Prng. */
export function safetensorsCases({ seeds, rng }) {
  const bytes = seeds.bytes.safetensors;
  const { headerLen, header, tensors } = seeds.safetensorsLayout;
  const dataStart = 8 + headerLen;
  const data = bytes.subarray(dataStart);
  const arch = seeds.bytes.arch;
  const cases = [];
  const add = convertCaseAdder(cases, FILE, 'timm', arch);
  const withHeader = (edit) => {
    const h = structuredClone(header);
    edit(h);
    return encodeSafetensorsRaw(h, data);
  };
  const first = tensors[0];
  const mid = tensors[Math.floor(tensors.length / 2)];
  const last = tensors.at(-1);
  const big = tensors.reduce((a, b) => (b.end - b.begin > a.end - a.begin ? b : a));

  add('valid seed', 'accept', bytes, { quick: true });
  add('valid, tensors stored in reverse order', 'accept', (() => {
    const h = structuredClone(header);
    const parts = [];
    let o = 0;
    for (const t of [...tensors].reverse()) {
      h[t.name].data_offsets = [o, o + t.end - t.begin];
      parts.push(data.subarray(t.begin, t.end));
      o += t.end - t.begin;
    }
    return encodeSafetensorsRaw(h, concatBytes(...parts));
  })());
  add('valid, with an extra int64 num_batches_tracked buffer', 'accept', (() => {
    const h = structuredClone(header);
    h['bn1.num_batches_tracked'] = { dtype: 'I64', shape: [], data_offsets: [data.length, data.length + 8] };
    return encodeSafetensorsRaw(h, concatBytes(data, new Uint8Array(8)));
  })());

  // Truncation at every structure boundary, and at random points.
  const cuts = new Map([
    [0, 'empty file'], [1, 'inside the length'], [7, 'inside the length'], [8, 'after the length'], [9, 'first header byte'],
    [8 + Math.floor(headerLen / 2), 'middle of the header'], [dataStart - 1, 'last header byte'], [dataStart, 'header end, no data'],
  ]);
  for (const t of [first, mid, last]) {
    cuts.set(dataStart + t.begin + 2, `inside tensor ${t.name}`);
    cuts.set(dataStart + t.end - 1, `last byte of tensor ${t.name}`);
    if (t !== last) cuts.set(dataStart + t.end, `end of tensor ${t.name}`);
  }
  for (const at of rng.distinct(2, 1, bytes.length - 1)) if (!cuts.has(at)) cuts.set(at, 'random point');
  let k = 0;
  for (const [at, where] of cuts) add(`truncated at byte ${at} (${where})`, 'refuse', bytes.subarray(0, at), { quick: k++ % 6 === 0 });

  // The header length.
  const withLength = (n) => concatBytes((() => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, n, true); return b; })(), bytes.subarray(8));
  for (const [n, what, expect] of [
    [0n, 'zero', 'refuse'], [BigInt(headerLen - 1), 'one short', 'either'], [BigInt(headerLen + 1), 'one long', 'either'],
    [BigInt(bytes.length), 'past the end', 'refuse'], [2n ** 63n, '2^63', 'refuse'], [2n ** 64n - 1n, '2^64-1', 'refuse'], [100n * 1024n * 1024n + 1n, 'over 100 MiB', 'refuse'],
  ]) add(`header length ${what}`, expect, withLength(n), { quick: what === '2^64-1' });

  // Bit flips and scrambled bursts.
  for (const at of rng.distinct(1, 0, 8)) add(`bit flip in the header length (byte ${at})`, 'either', flipBit(bytes, at, rng.int(0, 8)));
  for (const at of rng.distinct(4, 8, dataStart)) add(`bit flip in the header (byte ${at})`, 'either', flipBit(bytes, at, rng.int(0, 8)));
  for (const at of rng.distinct(4, dataStart, bytes.length)) add(`bit flip in the data (byte ${at})`, 'either', flipBit(bytes, at, rng.int(0, 8)));
  // High bits of float32 exponents: flips that turn weights into Inf or NaN.
  for (const t of [first, mid, last]) {
    const at = dataStart + t.begin + 3;
    add(`exponent bits set in ${t.name}[0] (NaN)`, 'refuse', (() => { const b = Uint8Array.from(bytes); b[at] = 0x7f; b[at - 1] = 0xc0; return b; })(), { mentions: [FILE, t.name], quick: t === mid });
  }
  for (const at of rng.distinct(1, 8, bytes.length - 16)) add(`16 random bytes at ${at}`, 'either', scramble(bytes, at, 16, rng));

  // dtype.
  for (const dtype of ['F16', 'F64', 'I64', null]) {
    add(`dtype ${JSON.stringify(dtype)} on ${first.name}`, 'refuse', withHeader((h) => { h[first.name].dtype = dtype; }), { mentions: [FILE, first.name], quick: dtype === 'F64' });
  }
  add(`dtype missing on ${first.name}`, 'refuse', withHeader((h) => { delete h[first.name].dtype; }), { mentions: [FILE, first.name] });

  // shape.
  const n = mid.shape.reduce((a, b) => a * b, 1);
  for (const [shape, what] of [
    [[-1, ...mid.shape.slice(1)], 'negative'], [[], 'scalar'], [[1.5, ...mid.shape.slice(1)], 'fractional'],
    [[1e20, 1e20], 'huge (1e20 x 1e20)'], [[65536, 65536, 65536], 'huge (65536^3)'],
    [null, 'null'], [[...mid.shape, 1], 'an extra axis of 1'],
    [[...mid.shape].reverse(), 'axes reversed'], [[n + 1], 'one element more than the bytes'], [[n - 1], 'one element fewer than the bytes'],
  ]) {
    const same = Array.isArray(shape) && shape.length > 0 && shape.every((d) => typeof d === 'number') && shape.reduce((a, b) => a * b, 1) === n;
    const expect = same && shape.join() === mid.shape.join() ? 'accept' : 'refuse';
    add(`shape ${what} on ${mid.name}`, expect, withHeader((h) => { h[mid.name].shape = shape; }), { mentions: [FILE, mid.name], quick: what === 'negative' || what === 'huge (1e20 x 1e20)' });
  }
  add(`shape missing on ${mid.name}`, 'refuse', withHeader((h) => { delete h[mid.name].shape; }), { mentions: [FILE, mid.name] });
  add(`shape 1e999 (Infinity) on ${mid.name}`, 'refuse', encodeSafetensorsRaw(JSON.stringify(header).replace(`"shape":${JSON.stringify(mid.shape)}`, '"shape":[1e999]'), data));

  // data_offsets.
  const prev = tensors[tensors.indexOf(mid) - 1];
  for (const [offsets, what, t] of [
    [[mid.begin, mid.end + 4], 'overlapping the next tensor', mid],
    [[last.begin + 4, last.end + 4], 'past the end', last], [[mid.end, mid.begin], 'reversed', mid], [[mid.begin, mid.begin], 'empty', mid],
    [[-4, mid.end], 'negative begin', mid], [[mid.begin + 0.5, mid.end + 0.5], 'fractional', mid],
    ['x', 'a string', mid], [[prev.begin, prev.end], `aliasing ${prev.name}`, mid],
    [[first.begin, first.end], `the same bytes as ${first.name}`, tensors.find((t) => t !== first && t.end - t.begin === first.end - first.begin) ?? mid],
  ]) add(`data_offsets ${what} on ${t.name}`, 'refuse', withHeader((h) => { h[t.name].data_offsets = offsets; }), { mentions: [FILE, t.name], quick: what === 'past the end' || what === 'reversed' });
  add(`data_offsets missing on ${mid.name}`, 'refuse', withHeader((h) => { delete h[mid.name].data_offsets; }), { mentions: [FILE, mid.name] });

  // Declared sizes far beyond a small file.
  add('a 65536x65536 tensor declared in a small file', 'refuse', encodeSafetensorsRaw({ 'classifier.weight': { dtype: 'F32', shape: [65536, 65536], data_offsets: [0, 65536 * 65536 * 4] } }, new Uint8Array(64)), { quick: true });
  add('100000 tiny tensors declared', 'refuse', encodeSafetensorsRaw(Object.fromEntries(Array.from({ length: 100000 }, (_, i) => [`t${i}`, { dtype: 'F32', shape: [1], data_offsets: [0, 4] }])), new Uint8Array(4)));

  // Values that are not finite numbers, and extreme finite ones.
  const at = (t, i) => dataStart + t.begin + 4 * i;
  const runningVar = tensors.find((t) => t.name.endsWith('running_var')) ?? mid;
  const classifier = tensors.find((t) => t.name === 'classifier.weight') ?? last;
  for (const [t, i, v, expect] of [
    [first, 0, NaN, 'refuse'], [mid, (mid.end - mid.begin) / 4 - 1, NaN, 'refuse'], [classifier, 5, Infinity, 'refuse'], [runningVar, 0, -Infinity, 'refuse'],
    [classifier, 1, 3.4e38, 'either'], [first, 1, 1e-42, 'accept'],
  ]) {
    add(`${v} in ${t.name}[${i}]`, expect, setFloat32(bytes, at(t, i), v), { mentions: [FILE, t.name], quick: Number.isNaN(v) && t === first });
  }

  // The header's structure.
  for (const [h, what] of [['[]', 'an array'], ['null', 'null'], ['{}', 'an empty object']]) {
    add(`header is ${what}`, 'refuse', encodeSafetensorsRaw(h, data), { quick: what === 'an array' });
  }
  for (const [v, what] of [[null, 'null'], [[], 'an array']]) {
    add(`entry of ${mid.name} is ${what}`, 'refuse', withHeader((h) => { h[mid.name] = v; }), { mentions: [FILE, mid.name] });
  }
  add('__metadata__ is a number', 'either', withHeader((h) => { h.__metadata__ = 5; }));
  add('__metadata__ nested 10000 deep', 'either', encodeSafetensorsRaw(`{"__metadata__":${deepJson(10000)},${JSON.stringify(header).slice(1)}`, data));
  add('header nested 100000 deep', 'refuse', encodeSafetensorsRaw(deepJson(100000), data), { quick: true });
  add('header with invalid UTF-8', 'refuse', (() => { const b = Uint8Array.from(bytes); b[20] = 0xff; b[21] = 0xfe; return b; })());
  add('header with a byte-order mark', 'either', encodeSafetensorsRaw(`\ufeff${JSON.stringify(header)}`, data));
  add('header padded with NUL bytes', 'refuse', (() => {
    const json = utf8(JSON.stringify(header));
    return encodeSafetensorsRaw(concatBytes(json, new Uint8Array(8 - ((8 + json.length) % 8) || 8)).reduce((s, c) => s + String.fromCharCode(c), ''), data, { pad: false });
  })());
  add('header padded with 1 MiB of spaces', 'accept', encodeSafetensorsRaw(JSON.stringify(header) + ' '.repeat(1 << 20), data));
  add('header text cut short (length adjusted)', 'refuse', encodeSafetensorsRaw(JSON.stringify(header).slice(0, 200), data));

  // Duplicate, missing and extra keys.
  const json = JSON.stringify(header);
  add(`${first.name} listed twice (same entry)`, 'either', encodeSafetensorsRaw(`{${JSON.stringify(first.name)}:${JSON.stringify(header[first.name])},${json.slice(1)}`, data));
  add(`${first.name} listed twice (first with a bad dtype)`, 'either', encodeSafetensorsRaw(`{${JSON.stringify(first.name)}:${JSON.stringify({ ...header[first.name], dtype: 'F64' })},${json.slice(1)}`, data));
  add(`${mid.name} missing`, 'refuse', withHeader((h) => { delete h[mid.name]; }), { mentions: [FILE, mid.name], quick: true });
  add('classifier.weight missing', 'refuse', withHeader((h) => { delete h['classifier.weight']; }), { mentions: [FILE, 'classifier.weight'] });
  for (const name of ['../../evil', '']) {
    add(`extra tensor named ${JSON.stringify(name)}`, 'refuse', (() => {
      const h = structuredClone(header);
      h[name] = { dtype: 'F32', shape: [1], data_offsets: [data.length, data.length + 4] };
      return encodeSafetensorsRaw(h, concatBytes(data, new Uint8Array(4)));
    })());
  }
  add('8 trailing bytes after the data', 'either', concatBytes(bytes, new Uint8Array(8)));
  add(`a 4-byte gap before ${last.name}`, 'either', (() => {
    const h = structuredClone(header);
    h[last.name].data_offsets = [last.begin + 4, last.end + 4];
    return encodeSafetensorsRaw(h, concatBytes(data.subarray(0, last.begin), new Uint8Array(4), data.subarray(last.begin)));
  })());

  // The file itself.
  add('the checkpoint is a link to /dev/zero', 'refuse', undefined, { files: { [FILE]: { symlink: '/dev/zero' } }, quick: true });
  add('the checkpoint is a folder', 'refuse', undefined, { files: { [FILE]: { dir: true } } });
  add('the checkpoint does not exist', 'refuse', undefined);
  add('the checkpoint is a link outside the case folder (valid file)', 'accept', undefined, { files: { [FILE]: { symlink: '../outside/w.safetensors' } }, outside: { 'w.safetensors': bytes } });
  add('the checkpoint is a dangling link', 'refuse', undefined, { files: { [FILE]: { symlink: '../outside/missing.safetensors' } } });
  return cases;
}
