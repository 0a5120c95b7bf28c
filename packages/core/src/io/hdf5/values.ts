import { decodeText, type ByteReader } from './byte-reader.js';
import type { Hdf5Type } from './messages.js';

/** Global heap collections of a file, read once each: address -> object index -> bytes. */
export class GlobalHeap {
  private readonly collections = new Map<number, Map<number, Uint8Array>>();

  constructor(private readonly r: ByteReader) {}

  /** The bytes of object `index` of the collection at `address`. */
  object(address: number, index: number): Uint8Array {
    let objects = this.collections.get(address);
    if (!objects) {
      objects = this.readCollection(address);
      this.collections.set(address, objects);
    }
    const data = objects.get(index);
    if (!data) this.r.fail(`is corrupt: global heap object ${index} is missing from the collection at byte ${address}`);
    return data;
  }

  private readCollection(address: number): Map<number, Uint8Array> {
    const r = this.r;
    r.expectSignature(address, 'GCOL', 'global heap collection');
    const L = r.sizeOfLengths;
    const size = r.lengthField(address + 8);
    const end = address + size;
    r.need(address, size, 'a global heap collection');
    const objects = new Map<number, Uint8Array>();
    let pos = address + 8 + L;
    while (pos + 8 + L <= end) {
      const index = r.u16(pos);
      if (index === 0) break; // free space: the rest of the collection
      const objectSize = r.lengthField(pos + 8);
      objects.set(index, r.slice(pos + 8 + L, objectSize, 'a global heap object'));
      pos += 8 + L + Math.ceil(objectSize / 8) * 8;
    }
    return objects;
  }
}

/** Decodes `count` numeric elements of `type` from `bytes` into float64 values. */
export function decodeNumbers(r: ByteReader, bytes: Uint8Array, type: Hdf5Type, count: number): Float64Array {
  if (type.kind !== 'int' && type.kind !== 'float') r.fail(`holds ${describeType(type)} where numbers were expected`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(count);
  const { size, littleEndian: le } = type;
  if (bytes.length < count * size) r.fail('is truncated or corrupt: a value block is shorter than its shape says', `${count * size} bytes`, `${bytes.length} bytes`);
  for (let i = 0; i < count; i++) {
    const o = i * size;
    if (type.kind === 'float') {
      if (size === 4) out[i] = view.getFloat32(o, le);
      else if (size === 8) out[i] = view.getFloat64(o, le);
      else r.fail(`holds ${size}-byte floats, which this reader does not decode`, '4 or 8', size);
    } else if (size === 1) out[i] = type.signed ? view.getInt8(o) : view.getUint8(o);
    else if (size === 2) out[i] = type.signed ? view.getInt16(o, le) : view.getUint16(o, le);
    else if (size === 4) out[i] = type.signed ? view.getInt32(o, le) : view.getUint32(o, le);
    else if (size === 8) out[i] = Number(type.signed ? view.getBigInt64(o, le) : view.getBigUint64(o, le));
    else r.fail(`holds ${size}-byte integers, which this reader does not decode`, '1, 2, 4 or 8', size);
  }
  return out;
}

/** Decodes `count` string elements (fixed-length or variable-length) from `bytes`. */
export function decodeStrings(r: ByteReader, heap: GlobalHeap, bytes: Uint8Array, type: Hdf5Type, count: number): string[] {
  const out: string[] = [];
  if (bytes.length < count * type.size) r.fail('is truncated or corrupt: a string block is shorter than its shape says', `${count * type.size} bytes`, `${bytes.length} bytes`);
  for (let i = 0; i < count; i++) {
    const el = bytes.subarray(i * type.size, (i + 1) * type.size);
    if (type.kind === 'string') {
      const end = el.indexOf(0);
      out.push(decodeText(end < 0 ? el : el.subarray(0, end)).replace(/ +$/, ''));
    } else if (type.kind === 'vlen-string') {
      const view = new DataView(el.buffer, el.byteOffset, el.byteLength);
      const length = view.getUint32(0, true);
      const o = r.sizeOfOffsets;
      let undef = true;
      for (let k = 0; k < o; k++) if (el[4 + k] !== 0xff) undef = false;
      if (length === 0 || undef) {
        out.push('');
        continue;
      }
      let address = 0;
      for (let k = o - 1; k >= 0; k--) address = address * 256 + el[4 + k]!;
      const index = view.getUint32(4 + o, true);
      const data = heap.object(address + r.baseAddress, index);
      out.push(decodeText(data.subarray(0, Math.min(length, data.length))));
    } else {
      r.fail(`holds ${describeType(type)} where strings were expected`);
    }
  }
  return out;
}

/** A short name for a datatype, for messages: `float32`, `int64`, `string`, ... */
export function describeType(type: Hdf5Type): string {
  switch (type.kind) {
    case 'float':
      return `float${type.size * 8}`;
    case 'int':
      return `${type.signed ? 'int' : 'uint'}${type.size * 8}`;
    case 'string':
    case 'vlen-string':
      return 'string';
    default:
      return `HDF5 type class ${type.classId}`;
  }
}
