import { ByteReader } from './byte-reader.js';
import { readChunked } from './chunks.js';
import { FractalHeap, walkBtreeV2 } from './dense-storage.js';
import {
  readAttributeMessage,
  readDataspace,
  readDatatype,
  readFilterIds,
  readLayout,
  readLink,
  type Dataspace,
  type Hdf5Type,
  type Layout,
  type Link,
  type RawAttribute,
} from './messages.js';
import { MESSAGE_SHARED, MSG, readObjectHeader, type HeaderMessage } from './object-header.js';
import { readSuperblock } from './superblock.js';
import { symbolTableLinks } from './symbol-table.js';
import { decodeNumbers, decodeStrings, describeType, GlobalHeap } from './values.js';

export type { Hdf5Type } from './messages.js';

/** Shared state of one open file. */
interface FileState {
  r: ByteReader;
  heap: GlobalHeap;
}

/** An attribute of a group or dataset. Values are decoded on request. */
export class Hdf5Attribute {
  /** Dimensions; `[]` for a scalar. */
  readonly shape: number[];
  /** Element type. */
  readonly type: Hdf5Type;

  constructor(
    private readonly state: FileState,
    readonly name: string,
    private readonly raw: RawAttribute,
  ) {
    this.shape = raw.space.shape;
    this.type = raw.type;
  }

  /** Number of elements (1 for a scalar, 0 for an empty or null dataspace). */
  get size(): number {
    return this.raw.space.empty ? 0 : this.shape.reduce((a, b) => a * b, 1);
  }

  /** True for fixed- and variable-length string attributes. */
  get isString(): boolean {
    return this.type.kind === 'string' || this.type.kind === 'vlen-string';
  }

  /** The values as strings (the attribute must hold strings). */
  strings(): string[] {
    const { r, heap } = this.state;
    return decodeStrings(r, heap, r.slice(this.raw.dataOffset, this.size * this.type.size, `attribute ${this.name}`), this.type, this.size);
  }

  /** The values as numbers (the attribute must hold integers or floats). */
  numbers(): Float64Array {
    const { r } = this.state;
    return decodeNumbers(r, r.slice(this.raw.dataOffset, this.size * this.type.size, `attribute ${this.name}`), this.type, this.size);
  }
}

/**
 * Visits the objects of dense storage (links or attributes kept in a fractal heap and indexed by
 * a version-2 B-tree), described by a link-info or attribute-info message: the info message has
 * a version, flags, an optional creation-order field of `orderFieldSize` bytes, then the heap and
 * index addresses. `visit` gets each object's absolute offset and size.
 */
function denseObjects(r: ByteReader, info: HeaderMessage | undefined, orderFieldSize: number, heapIdInRecord: number, visit: (at: number, size: number) => void): void {
  if (!info) return;
  const flags = r.u8(info.offset + 1);
  const pos = info.offset + 2 + (flags & 0x01 ? orderFieldSize : 0);
  const heapAddress = r.address(pos);
  const index = r.address(pos + r.sizeOfOffsets);
  if (heapAddress === undefined || index === undefined) return;
  const heap = new FractalHeap(r, heapAddress);
  walkBtreeV2(r, index, (record) => {
    const bytes = heap.object(record + heapIdInRecord);
    visit(bytes.byteOffset - r.bytes.byteOffset, bytes.length);
  });
}

/** Attributes and links of one object header. */
abstract class Hdf5Object {
  protected readonly messages: HeaderMessage[];
  private attributeCache: Map<string, Hdf5Attribute> | undefined;

  constructor(
    protected readonly state: FileState,
    /** Absolute path inside the file, e.g. `/stem_conv/stem_conv/kernel:0`. */
    readonly path: string,
    address: number,
  ) {
    this.messages = readObjectHeader(state.r, address);
  }

  protected message(type: number): HeaderMessage | undefined {
    return this.messages.find((m) => m.type === type);
  }

  protected unshared(type: number, what: string): HeaderMessage | undefined {
    const m = this.message(type);
    if (m && m.flags & MESSAGE_SHARED) this.state.r.fail(`${this.path}: uses a shared ${what}, which this reader does not support`);
    return m;
  }

  /** Every attribute, by name (compact and densely stored ones). */
  attributes(): Map<string, Hdf5Attribute> {
    if (this.attributeCache) return this.attributeCache;
    const { r } = this.state;
    const out = new Map<string, Hdf5Attribute>();
    const add = (raw: RawAttribute) => out.set(raw.name, new Hdf5Attribute(this.state, raw.name, raw));
    for (const m of this.messages) if (m.type === MSG.attribute) add(readAttributeMessage(r, m.offset, m.size));
    // Dense storage: attribute name-index records start with the heap id.
    denseObjects(r, this.message(MSG.attributeInfo), 2, 0, (at, size) => add(readAttributeMessage(r, at, size)));
    this.attributeCache = out;
    return out;
  }

  /** One attribute, or undefined. */
  attribute(name: string): Hdf5Attribute | undefined {
    return this.attributes().get(name);
  }
}

/** A group: named links to groups and datasets. */
export class Hdf5Group extends Hdf5Object {
  private linkCache: Map<string, Link> | undefined;

  private links(): Map<string, Link> {
    if (this.linkCache) return this.linkCache;
    const { r } = this.state;
    const found: Link[] = [];
    const table = this.message(MSG.symbolTable);
    if (table) found.push(...symbolTableLinks(r, r.address(table.offset)!, r.address(table.offset + r.sizeOfOffsets)!));
    for (const m of this.messages) if (m.type === MSG.link) found.push(readLink(r, m.offset));
    // Dense storage: link name-index records are a 4-byte hash, then the heap id.
    denseObjects(r, this.message(MSG.linkInfo), 8, 4, (at) => found.push(readLink(r, at)));
    this.linkCache = new Map(found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((l) => [l.name, l]));
    return this.linkCache;
  }

  /** Names of the children, sorted. */
  keys(): string[] {
    return [...this.links().keys()];
  }

  /** True when `name` (a child, or a relative path `a/b/c`) exists. */
  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** The child group or dataset at `name` (a relative path `a/b` is followed), or undefined. */
  get(name: string): Hdf5Group | Hdf5Dataset | undefined {
    const parts = name.split('/').filter((p) => p.length > 0);
    let node: Hdf5Group | Hdf5Dataset = this;
    for (const part of parts) {
      if (!(node instanceof Hdf5Group)) return undefined;
      const link = node.links().get(part);
      if (!link || link.address === undefined) return undefined;
      node = openObject(this.state, `${node.path === '/' ? '' : node.path}/${part}`, link.address);
    }
    return node;
  }

  /** A child group, or undefined when absent or not a group. */
  group(name: string): Hdf5Group | undefined {
    const node = this.get(name);
    return node instanceof Hdf5Group ? node : undefined;
  }
}

/** A dataset: shape, element type and data. */
export class Hdf5Dataset extends Hdf5Object {
  readonly shape: number[];
  readonly type: Hdf5Type;
  private readonly space: Dataspace;
  private readonly layout: Layout;

  constructor(state: FileState, path: string, address: number) {
    super(state, path, address);
    const { r } = state;
    this.space = readDataspace(r, this.unshared(MSG.dataspace, 'dataspace')!.offset);
    this.type = readDatatype(r, this.unshared(MSG.datatype, 'datatype (committed datatype)')!.offset);
    this.layout = readLayout(r, this.message(MSG.layout)!.offset);
    this.shape = this.space.shape;
  }

  /** Number of elements. */
  get size(): number {
    return this.space.empty ? 0 : this.shape.reduce((a, b) => a * b, 1);
  }

  /** The raw element bytes in row-major order. */
  bytes(): Uint8Array {
    const { r } = this.state;
    const filters = this.message(MSG.filterPipeline);
    if (filters) {
      const ids = readFilterIds(r, filters.offset);
      if (ids.length) r.fail(`${this.path}: is compressed or filtered (HDF5 filter ${ids.join(', ')}), which this reader does not support; save it without compression`);
    }
    const bytes = this.size * this.type.size;
    const layout = this.layout;
    switch (layout.kind) {
      case 'compact':
        return r.slice(layout.offset, bytes, `${this.path} (compact data)`);
      case 'contiguous':
        if (layout.address === undefined) return new Uint8Array(bytes); // never written: fill value 0
        return r.slice(layout.address, bytes, `${this.path} (data)`);
      case 'chunked':
        return readChunked(r, layout, this.shape, this.type.size);
      default:
        return r.fail(`${this.path}: uses ${layout.what}, which this reader does not support`);
    }
  }

  /** The values as float32 (any integer or float type is converted). */
  float32(): Float32Array {
    const { r } = this.state;
    const raw = this.bytes();
    if (this.type.kind === 'float' && this.type.size === 4 && this.type.littleEndian) {
      const out = new Float32Array(this.size);
      new Uint8Array(out.buffer).set(raw);
      return out;
    }
    return Float32Array.from(decodeNumbers(r, raw, this.type, this.size));
  }

  /** The values as float64 numbers. */
  numbers(): Float64Array {
    return decodeNumbers(this.state.r, this.bytes(), this.type, this.size);
  }

  /** A short type name: `float32`, `int64`, `string`, ... */
  get dtype(): string {
    return describeType(this.type);
  }
}

function openObject(state: FileState, path: string, address: number): Hdf5Group | Hdf5Dataset {
  const messages = readObjectHeader(state.r, address);
  return messages.some((m) => m.type === MSG.layout) ? new Hdf5Dataset(state, path, address) : new Hdf5Group(state, path, address);
}

/** An HDF5 file read from memory. */
export interface Hdf5File {
  /** The root group `/`. */
  root: Hdf5Group;
  /** Superblock version (0-3). */
  superblockVersion: number;
}

/**
 * Opens an HDF5 file held in memory: pure TypeScript on a `Uint8Array`, for Node and browsers.
 * Reads what weight files use: superblocks 0-3, object headers 1-2, symbol-table and link-message
 * groups (dense ones too), compact/dense attributes with fixed- or variable-length strings, and
 * uncompressed compact, contiguous and chunked datasets. Anything else fails with an EffnetError
 * (code `BAD_HDF5`) naming `file`; a truncated file is reported as such.
 */
export function readHdf5(bytes: Uint8Array, file = 'file.h5'): Hdf5File {
  const r = new ByteReader(bytes, { file });
  const sb = readSuperblock(r);
  const state: FileState = { r, heap: new GlobalHeap(r) };
  const root = new Hdf5Group(state, '/', sb.rootHeader);
  return { root, superblockVersion: sb.version };
}
