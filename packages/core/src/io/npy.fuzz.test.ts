import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutated, parsesOrRefuses } from '../test-support/byte-mutations.js';
import { encodeNpy, parseNpy, type NpyArray } from './npy.js';

/** A parse result must be self-consistent: whole-number dimensions that the float32 data fills exactly. */
function checkArray(a: NpyArray): void {
  expect(a.shape.every((d) => Number.isInteger(d) && d >= 0)).toBe(true);
  expect(a.data).toBeInstanceOf(Float32Array);
  expect(a.data.length).toBe(a.shape.reduce((x, y) => x * y, 1));
}
const parse = (bytes: Uint8Array) => parsesOrRefuses(() => parseNpy(bytes, 'fuzz.npy'), checkArray);

const validFile = fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 4 }).map((shape) =>
  encodeNpy({ shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i)) }),
);

/** A .npy file with the given header text (format 1 or 2) and data bytes. */
function withHeader(header: string, data: Uint8Array, major: 1 | 2 | 3): Uint8Array {
  const body = new TextEncoder().encode(header);
  const pre = major === 1 ? 10 : 12;
  const out = new Uint8Array(pre + body.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, Math.min(body.length, 0xffff), true);
  else view.setUint32(8, body.length, true);
  out.set(body, pre);
  out.set(data, pre + body.length);
  return out;
}
const dim = fc.oneof(fc.integer({ min: -2, max: 6 }).map(String), fc.constantFrom('1.5', '1e3', '0x10', '', ' ', 'a', '99999999999', '1e999', '-0'));
const hostileHeader = fc.record({
  descr: fc.oneof(fc.constantFrom('<f4', '|u1', '<f8', '>f4', '|O', '<i4', ''), fc.string({ maxLength: 5 })),
  fortran: fc.constantFrom('False', 'True', 'false', 'None', ''),
  shape: fc.array(dim, { maxLength: 5 }).map((d) => `(${d.join(', ')}${d.length === 1 ? ',' : ''})`),
  extra: fc.oneof(fc.constant(''), fc.string({ maxLength: 12 })),
}).map((h) => `{'descr': '${h.descr}', 'fortran_order': ${h.fortran}, 'shape': ${h.shape}, ${h.extra}}`);

describe('parseNpy on hostile bytes (property)', () => {
  it('arbitrary bytes, with and without the magic: a valid result or an EffnetError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), parse), { numRuns: 300 });
    const magic = Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (tail) => parse(Uint8Array.from([...magic, ...tail]))), { numRuns: 300 });
  });

  it('headers with hostile descr, order and shape over random data', () => {
    fc.assert(fc.property(hostileHeader, fc.uint8Array({ maxLength: 200 }), fc.constantFrom(1 as const, 2 as const, 3 as const), (h, data, major) => parse(withHeader(h, data, major))), { numRuns: 400 });
  });

  it('valid files, mutated: truncated, bit-flipped, spliced', () => {
    fc.assert(fc.property(validFile, (bytes) => parsesOrRefuses(() => parseNpy(bytes), checkArray)), { numRuns: 50 });
    fc.assert(fc.property(mutated(validFile), parse), { numRuns: 400 });
  });
});
