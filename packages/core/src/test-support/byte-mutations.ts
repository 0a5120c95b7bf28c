import fc from 'fast-check';

/** One edit of a byte array, as fast-check draws it: positions are fractions of the length. */
export type ByteMutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'copy'; from: number; to: number; count: number };

const position = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });

/** Edits of the kinds corrupt files show: truncation, bit flips, overwritten, inserted, deleted and repeated bytes. */
export const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({ kind: fc.constant('flip' as const), at: position, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: position, value: fc.constantFrom(0, 0xff, 0x7f, 0x80, 0x2c, 0x22, 0x5b, 0x7b) }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: position, count: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('copy' as const), from: position, to: position, count: fc.integer({ min: 1, max: 16 }) }),
);

/** `bytes` after `mutations`, applied in order (a copy; the input is not changed). */
export function applyMutations(bytes: Uint8Array, mutations: readonly ByteMutation[]): Uint8Array {
  let b = Uint8Array.from(bytes);
  for (const m of mutations) {
    const at = (f: number) => Math.floor(f * b.length);
    switch (m.kind) {
      case 'truncate':
        b = b.slice(0, at(m.at));
        break;
      case 'flip':
        if (b.length) b[at(m.at)]! ^= 1 << m.bit;
        break;
      case 'set':
        if (b.length) b[at(m.at)] = m.value;
        break;
      case 'insert': {
        const i = at(m.at);
        b = Uint8Array.from([...b.subarray(0, i), ...m.bytes, ...b.subarray(i)]);
        break;
      }
      case 'delete': {
        const i = at(m.at);
        b = Uint8Array.from([...b.subarray(0, i), ...b.subarray(i + m.count)]);
        break;
      }
      case 'copy': {
        const from = at(m.from);
        const to = at(m.to);
        b.set(b.slice(from, from + m.count).subarray(0, Math.max(0, b.length - to)), to);
        break;
      }
    }
  }
  return b;
}

/** Mutated copies of the byte arrays `valid` draws: one to four edits each. */
export function mutated(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc.tuple(valid, fc.array(byteMutation, { minLength: 1, maxLength: 4 })).map(([bytes, edits]) => applyMutations(bytes, edits));
}

/** Calls `parse` and checks the outcome: a result `check` accepts, or an EffnetError; never another exception or a hang. */
export function parsesOrRefuses<T>(parse: () => T, check: (result: T) => void, maxMs = 2000): void {
  const started = Date.now();
  let result: T;
  try {
    result = parse();
  } catch (e) {
    if (!(e instanceof Error) || e.name !== 'EffnetError' || typeof (e as { code?: unknown }).code !== 'string') throw new Error(`not an EffnetError: ${String((e as Error)?.stack ?? e)}`);
    if (e.message.includes('\n')) throw new Error(`a message of several lines: ${e.message}`);
    return;
  } finally {
    if (Date.now() - started > maxMs) throw new Error(`took ${Date.now() - started} ms`);
  }
  check(result);
}
