import { EffnetError } from '../../errors.js';
import { HDF5_SIGNATURE } from './superblock.js';

/** A dataset to write: float32, row-major. */
export interface Hdf5DatasetInput {
  kind: 'dataset';
  shape: number[];
  data: Float32Array;
}

/** An attribute to write: fixed-length ASCII strings (1-D, or a scalar) or float64 numbers (1-D). */
export type Hdf5AttributeInput = { strings: string[]; scalar?: boolean } | { numbers: number[] };

/** A group to write: attributes in order, children by name. */
export interface Hdf5GroupInput {
  kind: 'group';
  attributes?: [string, Hdf5AttributeInput][];
  children?: Map<string, Hdf5GroupInput | Hdf5DatasetInput>;
}

const O = 8; // size of offsets
const L = 8; // size of lengths
const LEAF_K = 4; // symbol node holds 2 * LEAF_K entries
const INTERNAL_K = 16; // B-tree node holds 2 * INTERNAL_K children
const UNDEFINED = -1;
/** The largest header message a version-1 object header can hold. */
export const MAX_HEADER_MESSAGE = 65535;

class ByteBuilder {
  private buf = new Uint8Array(1 << 16);
  length = 0;

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  /** Appends `n` zero bytes (8-byte aligned start) and returns their offset. */
  alloc(n: number): number {
    const pad = (8 - (this.length % 8)) % 8;
    this.ensure(pad + n);
    this.length += pad;
    const at = this.length;
    this.length += n;
    return at;
  }

  u8(at: number, v: number): void {
    this.buf[at] = v;
  }

  u16(at: number, v: number): void {
    this.buf[at] = v & 0xff;
    this.buf[at + 1] = (v >>> 8) & 0xff;
  }

  u32(at: number, v: number): void {
    for (let i = 0; i < 4; i++) this.buf[at + i] = (v >>> (8 * i)) & 0xff;
  }

  /** A 64-bit unsigned value, or the undefined address (all ones) for -1. */
  u64(at: number, v: number): void {
    if (v === UNDEFINED) {
      this.buf.fill(0xff, at, at + 8);
      return;
    }
    let rest = v;
    for (let i = 0; i < 8; i++) {
      this.buf[at + i] = rest % 256;
      rest = Math.floor(rest / 256);
    }
  }

  bytes(at: number, data: Uint8Array): void {
    this.buf.set(data, at);
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

interface Message {
  type: number;
  data: Uint8Array;
}

const ascii = (s: string): Uint8Array => {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) throw new EffnetError('BAD_NAME', 'HDF5 names and strings written here must be ASCII', { field: s });
    out[i] = c;
  }
  return out;
};

const pad8 = (n: number) => Math.ceil(n / 8) * 8;

function le(values: number[], sizes: number[]): Uint8Array {
  const total = sizes.reduce((a, b) => a + b, 0);
  const out = new Uint8Array(total);
  let pos = 0;
  values.forEach((v, i) => {
    let rest = v;
    for (let k = 0; k < sizes[i]!; k++) {
      out[pos + k] = rest % 256;
      rest = Math.floor(rest / 256);
    }
    pos += sizes[i]!;
  });
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

function floatType(size: 4 | 8): Uint8Array {
  // class 1 version 1; little-endian, implied mantissa MSB, sign bit at the top.
  const head = new Uint8Array([0x11, 0x20, size * 8 - 1, 0]);
  const props = size === 4 ? le([0, 32, 23, 8, 0, 23, 127], [2, 2, 1, 1, 1, 1, 4]) : le([0, 64, 52, 11, 0, 52, 1023], [2, 2, 1, 1, 1, 1, 4]);
  return concat([head, le([size], [4]), props]);
}

function stringType(width: number): Uint8Array {
  // class 3 version 1; NUL-padded ASCII.
  return concat([new Uint8Array([0x13, 0x01, 0, 0]), le([width], [4])]);
}

function dataspace(shape: number[]): Uint8Array {
  return concat([new Uint8Array([1, shape.length, 0, 0, 0, 0, 0, 0]), le(shape, shape.map(() => L))]);
}

function attributeMessage(name: string, value: Hdf5AttributeInput): Message {
  const nameBytes = concat([ascii(name), new Uint8Array([0])]);
  let type: Uint8Array;
  let space: Uint8Array;
  let data: Uint8Array;
  if ('strings' in value) {
    const encoded = value.strings.map(ascii);
    const width = Math.max(1, ...encoded.map((s) => s.length));
    type = stringType(width);
    space = dataspace(value.scalar ? [] : [encoded.length]);
    data = new Uint8Array(width * encoded.length);
    encoded.forEach((s, i) => data.set(s, i * width));
  } else {
    type = floatType(8);
    space = dataspace([value.numbers.length]);
    data = new Uint8Array(new Float64Array(value.numbers).buffer);
  }
  const header = le([1, 0, nameBytes.length, type.length, space.length], [1, 1, 2, 2, 2]);
  const padded = (b: Uint8Array) => concat([b, new Uint8Array(pad8(b.length) - b.length)]);
  return { type: 0x0c, data: concat([header, padded(nameBytes), padded(type), padded(space), data]) };
}

/**
 * Writes an HDF5 file in the oldest layout every HDF5 reader understands (superblock 0, version-1
 * object headers, symbol-table groups, contiguous float32 datasets, fixed-length string
 * attributes): the layout of Keras' legacy `.h5` weight files. Children are stored under their
 * names; HDF5 lists them alphabetically whatever the insertion order.
 */
export function writeHdf5(root: Hdf5GroupInput): Uint8Array {
  const out = new ByteBuilder();
  const superblock = out.alloc(96);

  /** Writes an object header with `messages`; returns its address. */
  const objectHeader = (messages: Message[]): number => {
    for (const m of messages) {
      if (m.data.length > MAX_HEADER_MESSAGE) {
        throw new EffnetError('HDF5_TOO_LARGE', 'an HDF5 header message (e.g. an attribute) exceeds 64 KiB; split it', { expected: `<= ${MAX_HEADER_MESSAGE} bytes`, actual: `${m.data.length} bytes` });
      }
    }
    const size = messages.reduce((n, m) => n + 8 + pad8(m.data.length), 0);
    const at = out.alloc(16 + size);
    out.u8(at, 1);
    out.u16(at + 2, messages.length);
    out.u32(at + 4, 1);
    out.u32(at + 8, size);
    let pos = at + 16;
    for (const m of messages) {
      out.u16(pos, m.type);
      out.u16(pos + 2, pad8(m.data.length));
      out.bytes(pos + 8, m.data);
      pos += 8 + pad8(m.data.length);
    }
    return at;
  };

  const writeDataset = (d: Hdf5DatasetInput): number => {
    const count = d.shape.reduce((a, b) => a * b, 1);
    if (count !== d.data.length) throw new EffnetError('BAD_SHAPE', 'dataset data does not match its shape', { expected: count, actual: d.data.length });
    const bytes = new Uint8Array(d.data.buffer, d.data.byteOffset, d.data.byteLength);
    const dataAt = out.alloc(bytes.length);
    out.bytes(dataAt, bytes);
    return objectHeader([
      { type: 0x01, data: dataspace(d.shape) },
      { type: 0x03, data: floatType(4) },
      { type: 0x05, data: new Uint8Array([2, 2, 2, 0]) }, // fill value: late allocation, default fill
      { type: 0x08, data: concat([new Uint8Array([3, 1]), le([dataAt, bytes.length], [O, L])]) },
    ]);
  };

  interface Written {
    header: number;
    btree?: number;
    heap?: number;
  }

  const writeGroup = (g: Hdf5GroupInput): Written => {
    const entries = [...(g.children ?? new Map<string, Hdf5GroupInput | Hdf5DatasetInput>())].map(([name, child]) => {
      if (!name || name.includes('/') || name === '.') throw new EffnetError('BAD_NAME', 'is not a valid HDF5 link name', { field: name });
      const written: Written = child.kind === 'group' ? writeGroup(child) : { header: writeDataset(child) };
      return { name, written };
    });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // Local heap: "" at offset 0, then every name, NUL-terminated and 8-byte aligned.
    const offsets: number[] = [];
    let heapSize = 8;
    for (const e of entries) {
      offsets.push(heapSize);
      heapSize += pad8(ascii(e.name).length + 1);
    }
    const heap = out.alloc(32 + heapSize);
    out.bytes(heap, ascii('HEAP'));
    out.u64(heap + 8, heapSize);
    out.u64(heap + 16, 1); // no free block (HDF5's "null" free-list offset)
    out.u64(heap + 24, heap + 32);
    entries.forEach((e, i) => out.bytes(heap + 32 + offsets[i]!, ascii(e.name)));
    // Symbol nodes of up to 2K entries each, then B-tree levels of up to 2K children each.
    const capacity = 2 * LEAF_K;
    let nodes: { address: number; lastKey: number }[] = [];
    for (let start = 0; start < entries.length; start += capacity) {
      const chunk = entries.slice(start, start + capacity);
      const snod = out.alloc(8 + capacity * 40);
      out.bytes(snod, ascii('SNOD'));
      out.u8(snod + 4, 1);
      out.u16(snod + 6, chunk.length);
      chunk.forEach((e, i) => {
        const at = snod + 8 + i * 40;
        out.u64(at, offsets[start + i]!);
        out.u64(at + 8, e.written.header);
        if (e.written.btree !== undefined) {
          out.u32(at + 16, 1);
          out.u64(at + 24, e.written.btree);
          out.u64(at + 32, e.written.heap!);
        }
      });
      nodes.push({ address: snod, lastKey: offsets[start + chunk.length - 1]! });
    }
    let level = 0;
    let btree: number;
    for (;;) {
      const parents: { address: number; lastKey: number }[] = [];
      const fanout = 2 * INTERNAL_K;
      // An empty group gets one B-tree node without children.
      for (let start = 0; start < Math.max(1, nodes.length); start += fanout) {
        const chunk = nodes.slice(start, start + fanout);
        const node = out.alloc(8 + 2 * O + (fanout + 1) * L + fanout * O);
        out.bytes(node, ascii('TREE'));
        out.u8(node + 4, 0);
        out.u8(node + 5, level);
        out.u16(node + 6, chunk.length);
        out.u64(node + 8, parents.length ? parents[parents.length - 1]!.address : UNDEFINED);
        out.u64(node + 16, UNDEFINED);
        if (parents.length) out.u64(parents[parents.length - 1]!.address + 16, node);
        let pos = node + 24;
        out.u64(pos, 0); // key 0: the empty name
        pos += L;
        for (const child of chunk) {
          out.u64(pos, child.address);
          out.u64(pos + O, child.lastKey);
          pos += O + L;
        }
        parents.push({ address: node, lastKey: chunk.length ? chunk[chunk.length - 1]!.lastKey : 0 });
      }
      if (parents.length === 1) {
        btree = parents[0]!.address;
        break;
      }
      nodes = parents;
      level++;
    }
    const messages: Message[] = [{ type: 0x11, data: le([btree, heap], [O, O]) }];
    for (const [name, value] of g.attributes ?? []) messages.push(attributeMessage(name, value));
    return { header: objectHeader(messages), btree, heap };
  };

  const written = writeGroup(root);
  const s = superblock;
  out.bytes(s, new Uint8Array(HDF5_SIGNATURE));
  // versions (superblock, free space, root group, reserved, shared header), offset and length sizes
  out.bytes(s + 8, new Uint8Array([0, 0, 0, 0, 0, O, L, 0]));
  out.u16(s + 16, LEAF_K);
  out.u16(s + 18, INTERNAL_K);
  out.u64(s + 24, 0); // base address
  out.u64(s + 32, UNDEFINED); // free-space info
  out.u64(s + 40, out.length); // end of file
  out.u64(s + 48, UNDEFINED); // driver information
  out.u64(s + 56, 0); // root entry: name offset
  out.u64(s + 64, written.header);
  out.u32(s + 72, 1); // cached symbol table: B-tree and heap addresses
  out.u64(s + 80, written.btree!);
  out.u64(s + 88, written.heap!);
  return out.result();
}
