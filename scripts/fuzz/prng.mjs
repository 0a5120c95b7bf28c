// A small seeded random generator (mulberry32) and the byte mutations the corpus is made of.
// Everything here is deterministic for a given seed, so a corpus can be rebuilt exactly.

/** A seeded pseudo-random generator with the few draws the corpus needs. */
export class Prng {
  /** @param {number} seed */
  constructor(seed) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next() {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [lo, hi). */
  int(lo, hi) {
    return lo + Math.floor(this.next() * (hi - lo));
  }

  /** One element of `items`. */
  pick(items) {
    return items[this.int(0, items.length)];
  }

  /** `count` distinct sorted integers in [lo, hi) (fewer when the range is small). */
  distinct(count, lo, hi) {
    const out = new Set();
    const want = Math.min(count, hi - lo);
    while (out.size < want) out.add(this.int(lo, hi));
    return [...out].sort((a, b) => a - b);
  }
}

/** A copy of `bytes` with bit `bit` (0-7) of byte `at` flipped. */
export function flipBit(bytes, at, bit) {
  const out = Uint8Array.from(bytes);
  out[at] ^= 1 << bit;
  return out;
}

/** A copy of `bytes` with `count` bytes from `at` set to random values. */
export function scramble(bytes, at, count, rng) {
  const out = Uint8Array.from(bytes);
  for (let i = at; i < Math.min(out.length, at + count); i++) out[i] = rng.int(0, 256);
  return out;
}

/** A copy of `bytes` with the float32 at byte `at` (little-endian) replaced by `value`. */
export function setFloat32(bytes, at, value, littleEndian = true) {
  const out = Uint8Array.from(bytes);
  new DataView(out.buffer).setFloat32(at, value, littleEndian);
  return out;
}

/** The concatenation of byte arrays. */
export function concatBytes(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** UTF-8 bytes of a string. */
export function utf8(text) {
  return new TextEncoder().encode(text);
}

/** JSON text nested `depth` levels deep (arrays), the shape that overflows recursive parsers. */
export function deepJson(depth) {
  return '['.repeat(depth) + ']'.repeat(depth);
}

/** A short slug for file names. */
export function slug(text) {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
}
