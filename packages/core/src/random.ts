/**
 * A small seeded generator (SplitMix32) whose whole state is one number, so a run can save it in
 * a checkpoint and continue the same random sequence after a resume.
 */
export class SeededRandom {
  private s: number;

  constructor(seed = 0) {
    this.s = seed >>> 0;
  }

  /** The state to save; `new SeededRandom(state)`, or setting `state`, continues from here. */
  get state(): number {
    return this.s;
  }

  set state(value: number) {
    this.s = value >>> 0;
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    this.s = (this.s + 0x9e3779b9) >>> 0;
    let z = this.s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A seed for a TF.js random op (a positive integer below 2^31). */
  nextSeed(): number {
    return this.nextUint32() & 0x7fffffff;
  }
}
