/** A buffer of a compiled program: its size, the steps that use it and, once planned, its place. */
export class ArenaBuffer {
  /** First and last step that touch it. */
  first = Number.POSITIVE_INFINITY;
  last = -1;
  /** Byte offset in the module's memory, set by {@link planArena}. */
  offset = -1;

  constructor(
    public bytes: number,
    readonly label: string,
  ) {}

  /** Marks the buffer as used by step `index`. */
  touch(index: number): void {
    if (index < this.first) this.first = index;
    if (index > this.last) this.last = index;
  }

  /** The float count it holds. */
  get floats(): number {
    return this.bytes / 4;
  }
}

const ALIGN = 64;

/**
 * Places buffers in one arena starting at `base` so that buffers whose step ranges overlap never
 * share bytes: largest first, each at the lowest offset that fits between the live ones
 * (a greedy best-effort packing of the interval graph). Returns the arena's end.
 */
export function planArena(buffers: readonly ArenaBuffer[], base: number): number {
  const order = buffers.filter((b) => b.last >= 0).sort((a, b) => b.bytes - a.bytes || a.first - b.first);
  const placed: ArenaBuffer[] = [];
  let end = base;
  for (const buf of order) {
    const size = Math.ceil(buf.bytes / ALIGN) * ALIGN;
    const live = placed.filter((p) => p.first <= buf.last && buf.first <= p.last).sort((a, b) => a.offset - b.offset);
    let offset = base;
    for (const p of live) {
      if (offset + size <= p.offset) break;
      offset = Math.max(offset, p.offset + Math.ceil(p.bytes / ALIGN) * ALIGN);
    }
    buf.offset = offset;
    placed.push(buf);
    end = Math.max(end, offset + size);
  }
  for (const b of buffers) if (b.last < 0) b.offset = base;
  return end;
}
