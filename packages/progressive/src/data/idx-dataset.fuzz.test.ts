import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutated } from '../../../core/src/test-support/byte-mutations.js';
import { parseIdx, type IdxArray } from './idx-dataset.js';

/** A parse result must be self-consistent: whole-number dimensions that the bytes fill exactly. */
function checkArray(a: IdxArray): void {
  expect(a.shape.every((d) => Number.isInteger(d) && d >= 0)).toBe(true);
  expect(a.data.length).toBe(a.shape.reduce((x, y) => x * y, 1));
}

/** parseIdx gives a valid result or an EffnetError, never another exception, within a second. */
async function parsesOrRefuses(bytes: Uint8Array): Promise<void> {
  const started = Date.now();
  let result: IdxArray;
  try {
    result = await parseIdx(bytes, 'fuzz.idx');
  } catch (e) {
    if (!(e instanceof Error) || e.name !== 'EffnetError') throw new Error(`not an EffnetError: ${String((e as Error)?.stack ?? e)}`);
    return;
  } finally {
    if (Date.now() - started > 1000) throw new Error(`took ${Date.now() - started} ms`);
  }
  checkArray(result);
}

/** An IDX file of unsigned bytes with any dimensions (the data need not fit them). */
function idx(shape: number[], data: Uint8Array, type = 0x08): Uint8Array {
  const out = new Uint8Array(4 + 4 * shape.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = type;
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d >>> 0, false));
  out.set(data, 4 + 4 * shape.length);
  return out;
}
const dims = fc.array(fc.oneof(fc.integer({ min: 0, max: 6 }), fc.constantFrom(0xffffffff, 0x80000000, 65535)), { maxLength: 5 });
const validFile = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }).map((shape) => idx(shape, Uint8Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i % 256)));
const hostileFile = fc.tuple(dims, fc.uint8Array({ maxLength: 300 }), fc.constantFrom(0x08, 0x08, 0x09, 0x0d)).map(([shape, data, type]) => idx(shape, data, type));

describe('parseIdx on hostile bytes (property)', () => {
  it('arbitrary bytes, plain and gzip: a valid result or an EffnetError', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), parsesOrRefuses), { numRuns: 300 });
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), (b) => parsesOrRefuses(Uint8Array.from([0x1f, 0x8b, ...b]))), { numRuns: 200 });
  });

  it('headers with hostile types, ranks and dimensions, plain and gzip', async () => {
    await fc.assert(fc.asyncProperty(hostileFile, parsesOrRefuses), { numRuns: 300 });
    await fc.assert(fc.asyncProperty(hostileFile, (b) => parsesOrRefuses(gzipSync(b))), { numRuns: 200 });
  });

  it('valid files, mutated, plain and as gzip (and the gzip mutated)', async () => {
    await fc.assert(fc.asyncProperty(mutated(validFile), parsesOrRefuses), { numRuns: 300 });
    await fc.assert(fc.asyncProperty(mutated(validFile.map((b) => new Uint8Array(gzipSync(b)))), parsesOrRefuses), { numRuns: 300 });
  });
});
