import { describe, expect, it } from 'vitest';
import { encodeNpy, parseNpy } from './npy.js';

describe('npy', () => {
  it('round-trips float32 arrays', () => {
    const data = Float32Array.from({ length: 24 }, (_, i) => i * 0.5 - 3);
    const back = parseNpy(encodeNpy({ shape: [1, 2, 4, 3], data }));
    expect(back.shape).toEqual([1, 2, 4, 3]);
    expect([...back.data]).toEqual([...data]);
    const vec = parseNpy(encodeNpy({ shape: [3], data: new Float32Array([1, 2, 3]) }));
    expect(vec.shape).toEqual([3]);
  });

  const withHeader = (descr: string, fortran = 'False', shape = '(2,)', payload = 8) => {
    let header = `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;
    header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
    const out = new Uint8Array(10 + header.length + payload);
    out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
    new DataView(out.buffer).setUint16(8, header.length, true);
    for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
    return out;
  };

  it('reads uint8 arrays as float32', () => {
    const bytes = withHeader('|u1', 'False', '(2, 2)', 4);
    bytes.set([0, 7, 128, 255], bytes.length - 4);
    const back = parseNpy(bytes);
    expect(back.shape).toEqual([2, 2]);
    expect([...back.data]).toEqual([0, 7, 128, 255]);
    expect(() => parseNpy(withHeader('|u1', 'False', '(8,)', 4), 'u.npy')).toThrow(/u\.npy: is truncated/);
  });

  it('names the file and the dtype when it is not float32', () => {
    expect(() => parseNpy(withHeader('<f8', 'False', '(2,)', 16), 'x.npy')).toThrow(/x\.npy: must hold float32 data \(expected dtype '<f4' \(float32\), got '<f8'\)/);
  });

  it('rejects Fortran order, truncation and non-npy bytes', () => {
    expect(() => parseNpy(withHeader('<f4', 'True'), 'a.npy')).toThrow(/C order/);
    expect(() => parseNpy(withHeader('<f4', 'False', '(4,)', 8), 'b.npy')).toThrow(/b\.npy: is truncated/);
    expect(() => parseNpy(new TextEncoder().encode('hello world, not numpy'), 'c.npy')).toThrow(/c\.npy: is not a \.npy file/);
  });

  it('refuses a format 2 file cut inside its 4-byte header length', () => {
    expect(() => parseNpy(Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0, 0, 0]), 'v2.npy')).toThrow(/^v2\.npy: is truncated inside its header \(expected 12 bytes at least, got 10\)$/);
  });

  it('refuses bytes after the data: a shape that disagrees with the byte count either way', () => {
    const bytes = encodeNpy({ shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) });
    const longer = new Uint8Array(bytes.length + 4);
    longer.set(bytes);
    expect(() => parseNpy(longer, 'x.npy')).toThrow(/^x\.npy: has bytes after its data \(the shape does not match the file\) \(expected \d+ bytes for shape \[2, 2\], got \d+ bytes\)$/);
  });
});
