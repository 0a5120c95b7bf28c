import type { ByteReader } from './byte-reader.js';

/** floor(log2(n)) / 8 + 1: bytes HDF5 uses to encode counts up to `n`. */
function limitEncSize(n: number): number {
  return Math.floor(Math.floor(Math.log2(Math.max(1, n))) / 8) + 1;
}

/**
 * Visits every record of a version-2 B-tree (`BTHD`): `visit` gets the absolute offset of each
 * record. Used for the name indexes of groups and attributes stored densely.
 */
export function walkBtreeV2(r: ByteReader, header: number, visit: (record: number) => void): void {
  r.expectSignature(header, 'BTHD', 'version-2 B-tree header');
  const O = r.sizeOfOffsets;
  const nodeSize = r.u32(header + 6);
  const recordSize = r.u16(header + 10);
  const depth = r.u16(header + 12);
  const root = r.address(header + 16);
  const rootRecords = r.u16(header + 16 + O);
  if (root === undefined || rootRecords === 0) return;
  // Per-depth sizes of the child pointers in internal nodes (H5B2 header initialisation).
  const maxRecords = [Math.floor((nodeSize - 10) / recordSize)];
  const cumulative = [maxRecords[0]!];
  const cumulativeSize = [0];
  const countSize = limitEncSize(maxRecords[0]!);
  for (let d = 1; d <= depth; d++) {
    const pointer = O + countSize + (d > 1 ? cumulativeSize[d - 1]! : 0);
    maxRecords[d] = Math.floor((nodeSize - 10 - pointer) / (recordSize + pointer));
    cumulative[d] = (maxRecords[d]! + 1) * cumulative[d - 1]! + maxRecords[d]!;
    cumulativeSize[d] = limitEncSize(cumulative[d]!);
  }
  const walk = (address: number, records: number, level: number) => {
    r.expectSignature(address, level === 0 ? 'BTLF' : 'BTIN', level === 0 ? 'version-2 B-tree leaf' : 'version-2 B-tree node');
    const first = address + 6;
    for (let i = 0; i < records; i++) visit(first + i * recordSize);
    if (level === 0) return;
    let pos = first + records * recordSize;
    for (let i = 0; i <= records; i++) {
      const child = r.address(pos)!;
      const childRecords = r.uint(pos + O, countSize);
      pos += O + countSize + (level > 1 ? cumulativeSize[level - 1]! : 0);
      walk(child, childRecords, level - 1);
    }
  };
  walk(root, rootRecords, depth);
}

/** A fractal heap (`FRHP`): the objects of densely stored links and attributes. */
export class FractalHeap {
  readonly idLength: number;
  private readonly width: number;
  private readonly startBlock: number;
  private readonly maxDirectBlock: number;
  private readonly maxHeapBits: number;
  private readonly root: number | undefined;
  private readonly rootRows: number;
  private readonly offsetSize: number;
  private readonly lengthSize: number;
  private readonly maxDirectRows: number;

  constructor(
    private readonly r: ByteReader,
    address: number,
  ) {
    r.expectSignature(address, 'FRHP', 'fractal heap header');
    const O = r.sizeOfOffsets;
    const L = r.sizeOfLengths;
    this.idLength = r.u16(address + 5);
    const filterLength = r.u16(address + 7);
    if (filterLength > 0) r.fail('stores links or attributes in a compressed fractal heap, which this reader does not support');
    const maxManaged = r.u32(address + 10);
    let pos = address + 14 + L + O + L + O + 8 * L; // huge id, huge B-tree, free space, fs manager, 8 counters
    this.width = r.u16(pos);
    this.startBlock = r.lengthField(pos + 2);
    this.maxDirectBlock = r.lengthField(pos + 2 + L);
    this.maxHeapBits = r.u16(pos + 2 + 2 * L);
    pos += 2 + 2 * L + 2 + 2; // width, start, max direct, max heap size, starting rows
    this.root = r.address(pos);
    this.rootRows = r.u16(pos + O);
    this.offsetSize = Math.ceil(this.maxHeapBits / 8);
    this.lengthSize = Math.min(Math.ceil(Math.log2(this.maxDirectBlock) / 8), limitEncSize(maxManaged));
    this.maxDirectRows = Math.log2(this.maxDirectBlock) - Math.log2(this.startBlock) + 2;
  }

  /** The bytes of the object with heap id at `id` (managed or tiny objects). */
  object(id: number): Uint8Array {
    const r: ByteReader = this.r;
    const first = r.u8(id);
    const type = (first >> 4) & 0x03;
    if (type === 2) return r.slice(id + 1, (first & 0x0f) + 1, 'a tiny heap object');
    if (type !== 0) r.fail('stores a huge object in a fractal heap, which this reader does not support');
    const offset = r.uint(id + 1, this.offsetSize);
    const length = r.uint(id + 1 + this.offsetSize, this.lengthSize);
    if (this.root === undefined) r.fail('is corrupt: an empty fractal heap is referenced');
    const at = this.rootRows === 0 ? this.root + offset : this.locate(this.root, this.rootRows, offset);
    return r.slice(at, length, 'a fractal heap object');
  }

  private rowBlockSize(row: number): number {
    return row === 0 ? this.startBlock : this.startBlock * 2 ** (row - 1);
  }

  /** Absolute file offset of heap offset `offset` inside the indirect block at `address`. */
  private locate(address: number, rows: number, offset: number): number {
    const r: ByteReader = this.r;
    r.expectSignature(address, 'FHIB', 'fractal heap indirect block');
    const O = r.sizeOfOffsets;
    const entries = address + 5 + O + this.offsetSize;
    let rowStart = 0;
    for (let row = 0; row < rows; row++) {
      const size = this.rowBlockSize(row);
      const rowEnd = rowStart + size * this.width;
      if (offset < rowEnd) {
        const col = Math.floor((offset - rowStart) / size);
        const within = offset - rowStart - col * size;
        const child = r.address(entries + (row * this.width + col) * O);
        if (child === undefined) r.fail(`is corrupt: fractal heap offset ${offset} lies in an unallocated block`);
        if (row < this.maxDirectRows) return child + within;
        const childRows = Math.log2(size) - Math.log2(this.startBlock * this.width) + 1;
        return this.locate(child, childRows, within);
      }
      rowStart = rowEnd;
    }
    return r.fail(`is corrupt: fractal heap offset ${offset} lies past the heap`);
  }
}
