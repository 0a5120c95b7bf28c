// Hostile Keras weights files (HDF5) for `effnet convert x.h5 --from keras`: truncations at every
// HDF5 structure (superblock, local heaps, symbol-table nodes, B-tree nodes, the data), addresses
// and lengths that point past the file or overflow, bit flips, and weights that are not finite.
import { convertCaseAdder } from './convert-case.mjs';
import { concatBytes, flipBit, scramble, setFloat32 } from '../prng.mjs';

const FILE = 'x.h5';
/** HDF5 structures the writer emits, found by their 4-byte signatures. */
const SIGNATURES = ['HEAP', 'SNOD', 'TREE', 'OHDR', 'GCOL'];

/** Every offset where `needle` occurs in `bytes`. */
function find(bytes, needle) {
  const out = [];
  outer: for (let i = 0; i + needle.length <= bytes.length; i++) {
    for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    out.push(i);
  }
  return out;
}

/** A copy of `bytes` with `value` written as a little-endian unsigned integer of `size` bytes at `at`. */
function setUint(bytes, at, size, value) {
  const b = Uint8Array.from(bytes);
  let v = BigInt.asUintN(size * 8, value);
  for (let i = 0; i < size; i++) {
    b[at + i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return b;
}

/** The cases; `seeds` from makeSeeds, `rng` a Prng. */
export function kerasH5Cases({ seeds, rng }) {
  const bytes = seeds.bytes.kerasH5;
  const { layers, weights } = seeds.kerasLayout;
  const arch = seeds.bytes.arch;
  const cases = [];
  const add = convertCaseAdder(cases, FILE, 'keras', arch);

  add('valid seed', 'accept', bytes, { quick: true });

  // Where each weight's data lies (the first 16 bytes of its values, found in the file).
  const dataAt = new Map();
  for (const [name, values] of weights) {
    if (values.length < 16) continue;
    const hits = find(bytes, values.subarray(0, 16));
    if (hits.length === 1) dataAt.set(name, hits[0]);
  }
  const structures = SIGNATURES.flatMap((sig) => find(bytes, [...sig].map((c) => c.charCodeAt(0))).map((at) => ({ sig, at })));

  // Truncation at every structure and inside the data.
  const cuts = new Map([[0, 'empty file'], [4, 'inside the signature'], [8, 'after the signature'], [24, 'inside the superblock'], [56, 'after the superblock'], [bytes.length - 1, 'last byte']]);
  for (const { sig, at } of structures) {
    cuts.set(at, `at a ${sig}`);
    cuts.set(at + 6, `inside a ${sig}`);
  }
  const named = [...dataAt.entries()];
  for (const [name, at] of [named[0], named[Math.floor(named.length / 2)], named.at(-1)].filter(Boolean)) cuts.set(at + 8, `inside the data of ${name}`);
  for (const at of rng.distinct(4, 1, bytes.length - 1)) if (!cuts.has(at)) cuts.set(at, 'random point');
  let k = 0;
  for (const [at, where] of [...cuts].sort((a, b) => a[0] - b[0])) add(`truncated at byte ${at} (${where})`, 'refuse', bytes.subarray(0, at), { quick: k++ % 8 === 0 });

  // Superblock fields: version, sizes of offsets and lengths, end-of-file and root addresses.
  for (const [at, value, what] of [
    [8, 9, 'superblock version 9'], [13, 3, 'offset size 3'], [13, 16, 'offset size 16'], [14, 0, 'length size 0'], [14, 255, 'length size 255'],
  ]) add(what, 'refuse', (() => { const b = Uint8Array.from(bytes); b[at] = value; return b; })(), { quick: what === 'offset size 16' });
  for (const [value, what] of [[2n ** 64n - 1n, 'undefined (all ones)'], [2n ** 62n, '2^62'], [BigInt(bytes.length * 4), 'four times the file']]) {
    add(`end-of-file address ${what}`, 'refuse', setUint(bytes, 40, 8, value), { quick: what === '2^62' });
    add(`root group address ${what}`, 'refuse', setUint(bytes, 64, 8, value));
  }

  // Addresses and lengths inside each kind of structure, pointed past the file or overflowing.
  const seen = new Set();
  for (const { sig, at } of structures) {
    const key = `${sig}`;
    const count = [...seen].filter((s) => s === key).length;
    if (count >= 2) continue;
    seen.add(key);
    for (const [offset, value, what] of [[8, 2n ** 64n - 1n, 'all ones'], [8, 2n ** 40n, '2^40'], [16, BigInt(bytes.length + 4096), 'past the end'], [24, 2n ** 63n, '2^63']]) {
      if (at + offset + 8 > bytes.length) continue;
      add(`${sig} at ${at}: field at +${offset} set to ${what}`, 'either', setUint(bytes, at + offset, 8, value), { quick: what === 'all ones' && count === 0 });
    }
    add(`${sig} at ${at}: signature wiped`, 'either', setUint(bytes, at, 4, 0n));
  }

  // Bit flips and scrambled bursts anywhere.
  for (const at of rng.distinct(12, 0, bytes.length)) add(`bit flip at byte ${at}`, 'either', flipBit(bytes, at, rng.int(0, 8)));
  for (const at of rng.distinct(4, 0, bytes.length - 32)) add(`32 random bytes at ${at}`, 'either', scramble(bytes, at, 32, rng));

  // Weights that are not finite numbers, and a negative BatchNorm variance.
  const kinds = new Map(layers.flatMap((l) => l.weights.map((w) => [w.decl, w.kind])));
  const variance = named.find(([name]) => kinds.get(name) === 'bn_moving_variance');
  const kernel = named.find(([name]) => kinds.get(name) === 'conv_kernel' || name.endsWith('kernel'));
  for (const [entry, value, expect] of [[kernel, NaN, 'refuse'], [kernel, Infinity, 'refuse'], [variance, -1, 'refuse'], [named.at(-1), 1e-42, 'accept']]) {
    if (!entry) continue;
    const [name, at] = entry;
    add(`${value} in ${name}[1]`, expect, setFloat32(bytes, at + 4, value), { quick: Number.isNaN(value) });
  }

  // Files that are not HDF5 at all, or HDF5 of something else.
  add('a safetensors file named .h5', 'refuse', seeds.bytes.safetensors, { quick: true });
  add('the HDF5 signature followed by nothing useful', 'refuse', concatBytes(bytes.subarray(0, 8), new Uint8Array(4096)));
  add('the HDF5 signature at 512 after a user block of zeros', 'either', concatBytes(new Uint8Array(512), bytes));
  add('1 MiB of trailing zeros', 'either', concatBytes(bytes, new Uint8Array(1 << 20)));
  add('the checkpoint is a link to /dev/zero', 'refuse', undefined, { files: { [FILE]: { symlink: '/dev/zero' } } });
  add('the checkpoint is a folder', 'refuse', undefined, { files: { [FILE]: { dir: true } } });
  add('the checkpoint is a dangling link', 'refuse', undefined, { files: { [FILE]: { symlink: '../outside/missing.h5' } } });
  return cases;
}
