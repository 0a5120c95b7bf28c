import { EffnetError } from '../../errors.js';

/** Where a read went wrong: the file named in messages. */
export interface FileContext {
  file: string;
}

/**
 * Little-endian reads at absolute offsets of an HDF5 file held in memory, with bounds checks that
 * report a truncated file instead of returning garbage. Addresses are `sizeOfOffsets` bytes and
 * lengths `sizeOfLengths` bytes (from the superblock); both are returned as JS numbers.
 */
export class ByteReader {
  readonly view: DataView;
  sizeOfOffsets = 8;
  sizeOfLengths = 8;
  /** Added to every address read from the file (non-zero when a user block precedes the data). */
  baseAddress = 0;

  constructor(
    readonly bytes: Uint8Array,
    readonly context: FileContext,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }

  /** Throws the "truncated or corrupt" error unless `[offset, offset + size)` lies in the file. */
  need(offset: number, size: number, what: string): void {
    if (!Number.isSafeInteger(offset) || offset < 0 || size < 0 || offset + size > this.bytes.length) {
      throw new EffnetError('BAD_HDF5', `is truncated or corrupt: ${what} at byte ${offset} (+${size}) lies past the end of the file`, {
        file: this.context.file,
        expected: `at least ${offset + size} bytes`,
        actual: `${this.bytes.length} bytes`,
      });
    }
  }

  /** Throws a format error naming `what`. */
  fail(what: string, expected?: unknown, actual?: unknown): never {
    throw new EffnetError('BAD_HDF5', what, {
      file: this.context.file,
      ...(expected !== undefined ? { expected } : {}),
      ...(actual !== undefined ? { actual } : {}),
    });
  }

  u8(offset: number): number {
    this.need(offset, 1, 'a byte');
    return this.view.getUint8(offset);
  }

  u16(offset: number): number {
    this.need(offset, 2, 'a 16-bit field');
    return this.view.getUint16(offset, true);
  }

  u32(offset: number): number {
    this.need(offset, 4, 'a 32-bit field');
    return this.view.getUint32(offset, true);
  }

  /** An unsigned little-endian integer of `size` bytes (1..8); values above 2^53 become Infinity. */
  uint(offset: number, size: number): number {
    this.need(offset, size, `a ${size}-byte field`);
    let value = 0;
    let scale = 1;
    for (let i = 0; i < size; i++) {
      value += this.bytes[offset + i]! * scale;
      scale *= 256;
    }
    return Number.isSafeInteger(value) ? value : Infinity;
  }

  /** True when the `size` bytes at `offset` are all 0xff (HDF5's "undefined address"). */
  isUndefined(offset: number, size: number): boolean {
    this.need(offset, size, 'an address');
    for (let i = 0; i < size; i++) if (this.bytes[offset + i] !== 0xff) return false;
    return true;
  }

  /** An address field; undefined for the "undefined address", otherwise absolute. */
  address(offset: number): number | undefined {
    if (this.isUndefined(offset, this.sizeOfOffsets)) return undefined;
    return this.uint(offset, this.sizeOfOffsets) + this.baseAddress;
  }

  /** A length field. */
  lengthField(offset: number): number {
    return this.uint(offset, this.sizeOfLengths);
  }

  /** ASCII signature check, e.g. `OHDR`. */
  hasSignature(offset: number, signature: string): boolean {
    if (offset < 0 || offset + signature.length > this.bytes.length) return false;
    for (let i = 0; i < signature.length; i++) if (this.bytes[offset + i] !== signature.charCodeAt(i)) return false;
    return true;
  }

  /** Requires a signature, naming the structure when it is not there. */
  expectSignature(offset: number, signature: string, what: string): void {
    this.need(offset, signature.length, what);
    if (!this.hasSignature(offset, signature)) {
      this.fail(`is corrupt: no ${what} (signature ${signature}) at byte ${offset}`);
    }
  }

  /** A byte range (a view, not a copy). */
  slice(offset: number, size: number, what: string): Uint8Array {
    this.need(offset, size, what);
    return this.bytes.subarray(offset, offset + size);
  }

  /** A string of `size` bytes, cut at the first NUL. */
  cString(offset: number, size: number): string {
    const raw = this.slice(offset, size, 'a string');
    const end = raw.indexOf(0);
    return decodeText(end < 0 ? raw : raw.subarray(0, end));
  }

  /** A NUL-terminated string starting at `offset` and ending before `limit`. */
  zString(offset: number, limit: number): string {
    this.need(offset, 1, 'a string');
    const end = this.bytes.indexOf(0, offset);
    if (end < 0 || end >= limit) this.fail(`is corrupt: an unterminated name at byte ${offset}`);
    return decodeText(this.bytes.subarray(offset, end));
  }
}

const decoder = new TextDecoder('utf-8');

/** UTF-8 (a superset of the ASCII that HDF5 strings usually hold). */
export function decodeText(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
