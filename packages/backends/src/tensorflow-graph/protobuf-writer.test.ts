import { describe, expect, it } from 'vitest';
import { ProtoWriter } from './protobuf-writer.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

// Expected bytes follow the protocol-buffers encoding guide's worked examples.
describe('ProtoWriter', () => {
  it('writes varints, negative ints as ten bytes, and booleans', () => {
    expect(hex(new ProtoWriter().int(1, 150).finish())).toBe('089601');
    expect(hex(new ProtoWriter().int(1, 1).finish())).toBe('0801');
    expect(hex(new ProtoWriter().int(2, -1).finish())).toBe('10ffffffffffffffffff01');
    expect(hex(new ProtoWriter().int(5, true).finish())).toBe('2801');
    expect(hex(new ProtoWriter().int(1, 2 ** 40).finish())).toBe('08808080808020');
  });

  it('writes strings, nested messages and map entries as length-delimited fields', () => {
    expect(hex(new ProtoWriter().string(2, 'testing').finish())).toBe('120774657374696e67');
    expect(hex(new ProtoWriter().message(3, (m) => m.int(1, 150)).finish())).toBe('1a03089601');
    expect(hex(new ProtoWriter().mapEntry(5, 'k', (v) => v.int(3, 7)).finish())).toBe('2a070a016b12021807');
  });

  it('writes packed ints and little-endian floats', () => {
    expect(hex(new ProtoWriter().packedInts(4, [3, 270, 86942]).finish())).toBe('2206038e029ea705');
    expect(hex(new ProtoWriter().float(4, 1).finish())).toBe('250000803f');
    expect(hex(new ProtoWriter().packedFloats(4, [1, -2]).finish())).toBe('22080000803f000000c0');
  });

  it('keeps large byte fields without copying them twice and reports its length', () => {
    const big = new Uint8Array(300).fill(7);
    const w = new ProtoWriter().int(1, 1).bytes(2, big).int(3, 2);
    expect(w.length).toBe(2 + 3 + 300 + 2);
    const out = w.finish();
    expect(hex(out.subarray(0, 5))).toBe('080112ac02');
    expect(out[305]).toBe(0x18);
  });

  it('rejects a non-integer varint', () => {
    expect(() => new ProtoWriter().int(1, 1.5)).toThrow(/integer/);
  });
});
