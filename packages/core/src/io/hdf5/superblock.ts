import type { ByteReader } from './byte-reader.js';

/** The HDF5 file signature. */
export const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** What the reader needs from the superblock. */
export interface Superblock {
  version: number;
  /** Absolute offset of the superblock (0, or after a user block of 512, 1024, ... bytes). */
  base: number;
  rootHeader: number;
  /** Where the superblock says the HDF5 data ends (the file may not be shorter). */
  endOfFile: number;
}

function findSignature(bytes: Uint8Array): number | undefined {
  for (let at = 0; at + 8 <= bytes.length; at = at === 0 ? 512 : at * 2) {
    if (HDF5_SIGNATURE.every((b, i) => bytes[at + i] === b)) return at;
  }
  return undefined;
}

/**
 * Finds and reads the superblock (versions 0 to 3), sets the reader's offset and length sizes and
 * base address, and checks that the file is not shorter than the superblock says.
 */
export function readSuperblock(r: ByteReader): Superblock {
  const base = findSignature(r.bytes);
  if (base === undefined) {
    r.fail('is not an HDF5 file (no HDF5 signature at byte 0, 512, 1024, ...)', 'the HDF5 signature \\x89HDF\\r\\n\\x1a\\n', r.length < 8 ? `${r.length} bytes` : 'other bytes');
  }
  const version = r.u8(base + 8);
  let sb: Superblock;
  if (version === 0 || version === 1) {
    r.sizeOfOffsets = r.u8(base + 13);
    r.sizeOfLengths = r.u8(base + 14);
    checkSizes(r);
    const o = r.sizeOfOffsets;
    let pos = base + (version === 1 ? 28 : 24);
    r.baseAddress = r.uint(pos, o);
    const endOfFile = r.uint(pos + 2 * o, o);
    pos += 4 * o; // base address, free-space info, end of file, driver info
    const rootHeader = r.address(pos + o)!; // root group symbol table entry: name offset, header address
    sb = { version, base, rootHeader, endOfFile };
  } else if (version === 2 || version === 3) {
    r.sizeOfOffsets = r.u8(base + 9);
    r.sizeOfLengths = r.u8(base + 10);
    checkSizes(r);
    const o = r.sizeOfOffsets;
    const pos = base + 12;
    r.baseAddress = r.uint(pos, o);
    const endOfFile = r.uint(pos + 2 * o, o);
    const rootHeader = r.address(pos + 3 * o)!;
    sb = { version, base, rootHeader, endOfFile };
  } else {
    return r.fail(`has an unsupported HDF5 superblock version ${version}`, '0, 1, 2 or 3', version);
  }
  if (r.length < sb.endOfFile) {
    r.fail('is truncated: the HDF5 superblock records a longer file', `${sb.endOfFile} bytes`, `${r.length} bytes`);
  }
  return sb;
}

function checkSizes(r: ByteReader): void {
  for (const [what, size] of [['offsets', r.sizeOfOffsets], ['lengths', r.sizeOfLengths]] as const) {
    if (![2, 4, 8].includes(size)) r.fail(`is corrupt: HDF5 size of ${what} is ${size}`, '2, 4 or 8', size);
  }
}
