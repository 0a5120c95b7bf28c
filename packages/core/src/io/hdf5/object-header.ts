import type { ByteReader } from './byte-reader.js';

/** Header message types this reader looks at (HDF5 spec, section IV.A.2). */
export const MSG = {
  dataspace: 0x01,
  linkInfo: 0x02,
  datatype: 0x03,
  fillValueOld: 0x04,
  fillValue: 0x05,
  link: 0x06,
  layout: 0x08,
  groupInfo: 0x0a,
  filterPipeline: 0x0b,
  attribute: 0x0c,
  continuation: 0x10,
  symbolTable: 0x11,
  attributeInfo: 0x15,
} as const;

/** One header message: its type, flags and where its data lies in the file. */
export interface HeaderMessage {
  type: number;
  flags: number;
  /** Absolute offset of the message data. */
  offset: number;
  size: number;
}

/** Bit 1 of a message's flags: the data is a reference to a shared message elsewhere. */
export const MESSAGE_SHARED = 0x02;

/**
 * Reads the messages of the object header at `address` (version 1, or version 2 with its `OHDR`
 * signature), following continuation blocks.
 */
export function readObjectHeader(r: ByteReader, address: number): HeaderMessage[] {
  const messages: HeaderMessage[] = [];
  const seen = new Set<number>();
  if (r.hasSignature(address, 'OHDR')) {
    const version = r.u8(address + 4);
    if (version !== 2) r.fail(`is corrupt or too new: object header version ${version} at byte ${address}`, 2, version);
    const flags = r.u8(address + 5);
    let pos = address + 6;
    if (flags & 0x20) pos += 16; // access, modification, change, birth times
    if (flags & 0x10) pos += 4; // attribute storage phase change values
    const sizeBytes = 1 << (flags & 0x03);
    const chunkSize = r.uint(pos, sizeBytes);
    pos += sizeBytes;
    const withOrder = (flags & 0x04) !== 0;
    const pending: [number, number][] = [[pos, pos + chunkSize]];
    while (pending.length) {
      const [start, end] = pending.shift()!;
      r.need(start, end - start, 'an object header');
      let p = start;
      const headerSize = withOrder ? 6 : 4;
      while (p + headerSize <= end) {
        const type = r.u8(p);
        const size = r.u16(p + 1);
        const mflags = r.u8(p + 3);
        const data = p + headerSize;
        if (data + size > end) r.fail(`is corrupt: an object header message at byte ${p} runs past its block`);
        if (type === MSG.continuation) {
          const block = r.address(data)!;
          const length = r.lengthField(data + r.sizeOfOffsets);
          if (seen.has(block)) r.fail(`is corrupt: object header continuation loop at byte ${block}`);
          seen.add(block);
          r.expectSignature(block, 'OCHK', 'object header continuation block');
          pending.push([block + 4, block + length - 4]);
        } else if (type !== 0) {
          messages.push({ type, flags: mflags, offset: data, size });
        }
        p = data + size;
      }
    }
    return messages;
  }
  const version = r.u8(address);
  if (version !== 1) r.fail(`is corrupt: no object header at byte ${address} (version ${version})`, 'version 1 or OHDR', version);
  const count = r.u16(address + 2);
  const size = r.u32(address + 8);
  const pending: [number, number][] = [[address + 16, address + 16 + size]];
  let read = 0;
  while (pending.length && read < count) {
    const [start, end] = pending.shift()!;
    r.need(start, end - start, 'an object header');
    let p = start;
    while (p + 8 <= end && read < count) {
      const type = r.u16(p);
      const msize = r.u16(p + 2);
      const mflags = r.u8(p + 4);
      const data = p + 8;
      if (data + msize > end) r.fail(`is corrupt: an object header message at byte ${p} runs past its block`);
      read++;
      if (type === MSG.continuation) {
        const block = r.address(data)!;
        const length = r.lengthField(data + r.sizeOfOffsets);
        if (seen.has(block)) r.fail(`is corrupt: object header continuation loop at byte ${block}`);
        seen.add(block);
        pending.push([block, block + length]);
      } else if (type !== 0) {
        messages.push({ type, flags: mflags, offset: data, size: msize });
      }
      p = data + msize;
    }
  }
  return messages;
}
