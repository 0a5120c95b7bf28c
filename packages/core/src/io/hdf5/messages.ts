import type { ByteReader } from './byte-reader.js';

/** An HDF5 datatype, reduced to what this reader can decode. */
export type Hdf5Type =
  | { kind: 'int'; size: number; signed: boolean; littleEndian: boolean }
  | { kind: 'float'; size: number; littleEndian: boolean }
  /** Fixed-length string, padded with NULs or spaces. */
  | { kind: 'string'; size: number }
  /** Variable-length string; elements reference the global heap. */
  | { kind: 'vlen-string'; size: number }
  | { kind: 'other'; size: number; classId: number };

/** Dataspace: `shape` is `[]` for a scalar; `empty` for HDF5's null dataspace. */
export interface Dataspace {
  shape: number[];
  empty: boolean;
}

/** Reads a dataspace message (versions 1 and 2). */
export function readDataspace(r: ByteReader, at: number): Dataspace {
  const version = r.u8(at);
  const rank = r.u8(at + 1);
  const L = r.sizeOfLengths;
  if (version === 1) {
    const shape = Array.from({ length: rank }, (_, i) => r.lengthField(at + 8 + i * L));
    return { shape, empty: false };
  }
  if (version === 2) {
    const type = r.u8(at + 3);
    const shape = type === 1 ? Array.from({ length: rank }, (_, i) => r.lengthField(at + 4 + i * L)) : [];
    return { shape, empty: type === 2 };
  }
  return r.fail(`has an unsupported dataspace message version ${version}`, '1 or 2', version);
}

/** Reads a datatype message. */
export function readDatatype(r: ByteReader, at: number): Hdf5Type {
  const classAndVersion = r.u8(at);
  const classId = classAndVersion & 0x0f;
  const bits0 = r.u8(at + 1);
  const size = r.u32(at + 4);
  switch (classId) {
    case 0:
      return { kind: 'int', size, signed: (bits0 & 0x08) !== 0, littleEndian: (bits0 & 0x01) === 0 };
    case 1:
      return { kind: 'float', size, littleEndian: (bits0 & 0x01) === 0 };
    case 3:
      return { kind: 'string', size };
    case 9:
      // bits 0-3: 0 = sequence, 1 = string
      if ((bits0 & 0x0f) === 1) return { kind: 'vlen-string', size: 4 + r.sizeOfOffsets + 4 };
      return { kind: 'other', size, classId };
    default:
      return { kind: 'other', size, classId };
  }
}

/** Size in bytes of one element of `type` as stored in the file. */
export function elementSize(type: Hdf5Type): number {
  return type.size;
}

/** How a dataset's data is stored. */
export type Layout =
  | { kind: 'compact'; offset: number; size: number }
  | { kind: 'contiguous'; address: number | undefined; size: number }
  /**
   * Chunked: chunk dimensions (without the element-size dimension) and the chunk index: a version-1
   * B-tree (layout v3) or a layout-v4 index (`single`, `implicit`, `fixed-array`).
   */
  | { kind: 'chunked'; chunk: number[]; index: 'btree-v1' | 'single' | 'implicit' | 'fixed-array'; address: number | undefined; filteredSize?: number }
  | { kind: 'unsupported'; what: string };

/** Reads a data layout message (versions 3 and 4). */
export function readLayout(r: ByteReader, at: number): Layout {
  const version = r.u8(at);
  if (version !== 3 && version !== 4) return { kind: 'unsupported', what: `data layout message version ${version}` };
  const cls = r.u8(at + 1);
  if (cls === 0) return { kind: 'compact', offset: at + 4, size: r.u16(at + 2) };
  if (cls === 1) return { kind: 'contiguous', address: r.address(at + 2), size: r.lengthField(at + 2 + r.sizeOfOffsets) };
  if (cls !== 2) return { kind: 'unsupported', what: `data layout class ${cls} (virtual dataset)` };
  if (version === 3) {
    const dims = r.u8(at + 2);
    const address = r.address(at + 3);
    const chunk = Array.from({ length: dims - 1 }, (_, i) => r.u32(at + 3 + r.sizeOfOffsets + 4 * i));
    return { kind: 'chunked', chunk, index: 'btree-v1', address };
  }
  const flags = r.u8(at + 2);
  const dims = r.u8(at + 3);
  const encLen = r.u8(at + 4);
  const chunk = Array.from({ length: dims - 1 }, (_, i) => r.uint(at + 5 + encLen * i, encLen));
  let pos = at + 5 + encLen * dims;
  const indexType = r.u8(pos);
  pos += 1;
  switch (indexType) {
    case 1: {
      let filteredSize: number | undefined;
      if (flags & 0x02) {
        filteredSize = r.lengthField(pos);
        pos += r.sizeOfLengths + 4;
      }
      return { kind: 'chunked', chunk, index: 'single', address: r.address(pos), ...(filteredSize !== undefined ? { filteredSize } : {}) };
    }
    case 2:
      return { kind: 'chunked', chunk, index: 'implicit', address: r.address(pos) };
    case 3:
      return { kind: 'chunked', chunk, index: 'fixed-array', address: r.address(pos + 1) };
    case 4:
      return { kind: 'unsupported', what: 'chunked data indexed by an extensible array (a dataset with an unlimited dimension)' };
    default:
      return { kind: 'unsupported', what: `chunked data indexed by chunk index type ${indexType}` };
  }
}

/** Filter ids of a filter pipeline message (versions 1 and 2). */
export function readFilterIds(r: ByteReader, at: number): number[] {
  const version = r.u8(at);
  const count = r.u8(at + 1);
  const ids: number[] = [];
  let pos = at + (version === 1 ? 8 : 2);
  for (let i = 0; i < count; i++) {
    const id = r.u16(pos);
    ids.push(id);
    if (version === 1) {
      const nameLength = r.u16(pos + 2);
      const values = r.u16(pos + 6);
      pos += 8 + nameLength + 4 * values + (values % 2 ? 4 : 0);
    } else {
      const hasName = id >= 256;
      const nameLength = hasName ? r.u16(pos + 2) : 0;
      const values = r.u16(pos + (hasName ? 6 : 4));
      pos += (hasName ? 8 : 6) + nameLength + 4 * values;
    }
  }
  return ids;
}

/** A link from a group to an object: only hard links point at objects this reader opens. */
export interface Link {
  name: string;
  /** Object header address of a hard link; undefined for soft and external links. */
  address: number | undefined;
}

/** Reads a link message (version 1), from a header or from a group's fractal heap. */
export function readLink(r: ByteReader, at: number): Link {
  const version = r.u8(at);
  if (version !== 1) r.fail(`has an unsupported link message version ${version}`, 1, version);
  const flags = r.u8(at + 1);
  let pos = at + 2;
  let linkType = 0;
  if (flags & 0x08) linkType = r.u8(pos++);
  if (flags & 0x04) pos += 8;
  if (flags & 0x10) pos += 1;
  const lengthSize = 1 << (flags & 0x03);
  const nameLength = r.uint(pos, lengthSize);
  pos += lengthSize;
  const name = r.cString(pos, nameLength);
  pos += nameLength;
  return { name, address: linkType === 0 ? r.address(pos) : undefined };
}

/** An attribute message: name, type, shape and where its raw data lies. */
export interface RawAttribute {
  name: string;
  type: Hdf5Type;
  space: Dataspace;
  dataOffset: number;
  dataSize: number;
}

const pad8 = (n: number) => Math.ceil(n / 8) * 8;

/** Reads an attribute message (versions 1 to 3). `size` is the message's data size. */
export function readAttributeMessage(r: ByteReader, at: number, size: number): RawAttribute {
  const version = r.u8(at);
  if (version < 1 || version > 3) r.fail(`has an unsupported attribute message version ${version}`, '1, 2 or 3', version);
  const flags = r.u8(at + 1);
  if (version > 1 && flags & 0x03) r.fail('uses shared datatypes or dataspaces in an attribute, which this reader does not support');
  const nameSize = r.u16(at + 2);
  const typeSize = r.u16(at + 4);
  const spaceSize = r.u16(at + 6);
  let pos = at + 8 + (version === 3 ? 1 : 0);
  const name = r.cString(pos, nameSize);
  const align = version === 1 ? pad8 : (n: number) => n;
  pos += align(nameSize);
  const type = readDatatype(r, pos);
  pos += align(typeSize);
  const space = readDataspace(r, pos);
  pos += align(spaceSize);
  return { name, type, space, dataOffset: pos, dataSize: at + size - pos };
}
