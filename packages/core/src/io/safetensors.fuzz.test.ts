import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutated, parsesOrRefuses } from '../test-support/byte-mutations.js';
import { encodeSafetensors, parseSafetensors, type SafeTensor } from './safetensors.js';

/** A parse result must be self-consistent: F32 tensors whose data fills their shape. */
function checkTensors(tensors: Map<string, SafeTensor>): void {
  for (const [name, t] of tensors) {
    expect(t.name).toBe(name);
    expect(t.dtype).toBe('F32');
    expect(t.shape.every((d) => Number.isInteger(d) && d >= 0)).toBe(true);
    expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
  }
}
const parse = (bytes: Uint8Array) => parsesOrRefuses(() => parseSafetensors(bytes, 'fuzz.safetensors'), checkTensors);

const tensor = fc.record({
  name: fc.string({ minLength: 1, maxLength: 12 }),
  shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
}).map(({ name, shape }) => ({ name, shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i * 0.5 - 1) }));
const validFile = fc.uniqueArray(tensor, { selector: (t) => t.name, maxLength: 5 }).map((ts) => encodeSafetensors(ts, { format: 'pt' }));

/** A file with a header of any JSON value or of entries with hostile fields, and a data region of random bytes. */
function withHeader(header: unknown, data: Uint8Array, lengthDelta = 0): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header) ?? 'null');
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(Math.max(0, json.length + lengthDelta)), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}
const hostileNumber = fc.oneof(fc.integer({ min: -4, max: 64 }), fc.constantFrom(1.5, -0.5, 2 ** 31, 2 ** 53, 1e20, 1e300, Number.MAX_SAFE_INTEGER));
const hostileEntry = fc.record(
  {
    dtype: fc.oneof(fc.constantFrom('F32', 'F16', 'F64', 'I64', 'BOOL', ''), fc.anything()),
    shape: fc.oneof(fc.array(hostileNumber, { maxLength: 4 }), fc.anything()),
    data_offsets: fc.oneof(fc.tuple(hostileNumber, hostileNumber), fc.array(hostileNumber, { maxLength: 3 }), fc.anything()),
  },
  { requiredKeys: [] },
);

describe('parseSafetensors on hostile bytes (property)', () => {
  it('arbitrary bytes: a valid result or an EffnetError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), parse), { numRuns: 400 });
  });

  it('arbitrary bytes behind a plausible header length', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), fc.integer({ min: 0, max: 420 }), (tail, n) => {
      const bytes = new Uint8Array(8 + tail.length);
      new DataView(bytes.buffer).setBigUint64(0, BigInt(n), true);
      bytes.set(tail, 8);
      parse(bytes);
    }), { numRuns: 300 });
  });

  it('any JSON as the header, and entries with hostile dtypes, shapes and offsets', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), fc.uint8Array({ maxLength: 64 }), (header, data) => parse(withHeader(header, data))), { numRuns: 300 });
    fc.assert(fc.property(fc.dictionary(fc.string({ maxLength: 8 }), hostileEntry, { maxKeys: 4 }), fc.uint8Array({ maxLength: 256 }), fc.integer({ min: -2, max: 2 }), (header, data, delta) => parse(withHeader(header, data, delta))), { numRuns: 400 });
  });

  it('valid files, mutated: truncated, bit-flipped, spliced', () => {
    fc.assert(fc.property(validFile, (bytes) => parsesOrRefuses(() => parseSafetensors(bytes), (r) => checkTensors(r))), { numRuns: 50 });
    fc.assert(fc.property(mutated(validFile), parse), { numRuns: 400 });
  });
});
