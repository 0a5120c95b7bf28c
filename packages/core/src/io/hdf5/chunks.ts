import type { ByteReader } from './byte-reader.js';
import type { Layout } from './messages.js';
import { walkBtreeV1 } from './symbol-table.js';

/** One stored chunk: its first element's coordinates and where its bytes lie. */
interface Chunk {
  origin: number[];
  address: number;
}

function chunkGrid(shape: number[], chunk: number[]): number[] {
  return shape.map((n, i) => Math.ceil(n / chunk[i]!));
}

/** Row-major origins of every chunk of the grid. */
function gridOrigins(shape: number[], chunk: number[]): number[][] {
  const grid = chunkGrid(shape, chunk);
  const total = grid.reduce((a, b) => a * b, 1);
  const out: number[][] = [];
  for (let i = 0; i < total; i++) {
    let rest = i;
    const origin = new Array<number>(shape.length);
    for (let d = shape.length - 1; d >= 0; d--) {
      origin[d] = (rest % grid[d]!) * chunk[d]!;
      rest = Math.floor(rest / grid[d]!);
    }
    out.push(origin);
  }
  return out;
}

function listChunks(r: ByteReader, layout: Extract<Layout, { kind: 'chunked' }>, shape: number[], chunkBytes: number): Chunk[] {
  const { address } = layout;
  if (address === undefined) return [];
  const rank = shape.length;
  switch (layout.index) {
    case 'btree-v1': {
      const chunks: Chunk[] = [];
      walkBtreeV1(r, address, 1, 8 + 8 * (rank + 1), (child, key) => {
        const size = r.u32(key);
        const filterMask = r.u32(key + 4);
        if (size !== chunkBytes || filterMask !== 0) r.fail('holds a compressed or filtered chunk, which this reader does not support', `${chunkBytes} bytes`, `${size} bytes`);
        chunks.push({ origin: Array.from({ length: rank }, (_, d) => r.uint(key + 8 + 8 * d, 8)), address: child });
      });
      return chunks;
    }
    case 'single':
      return [{ origin: shape.map(() => 0), address }];
    case 'implicit':
      return gridOrigins(shape, layout.chunk).map((origin, i) => ({ origin, address: address + i * chunkBytes }));
    case 'fixed-array': {
      r.expectSignature(address, 'FAHD', 'fixed array header');
      const O = r.sizeOfOffsets;
      const client = r.u8(address + 5);
      if (client !== 0) r.fail('holds compressed or filtered chunks, which this reader does not support');
      const entrySize = r.u8(address + 6);
      const pageBits = r.u8(address + 7);
      const count = r.lengthField(address + 8);
      if (count > 2 ** pageBits) r.fail('indexes its chunks with a paged fixed array, which this reader does not support');
      const block = r.address(address + 8 + r.sizeOfLengths);
      if (block === undefined) return [];
      r.expectSignature(block, 'FADB', 'fixed array data block');
      const first = block + 6 + O;
      return gridOrigins(shape, layout.chunk)
        .slice(0, count)
        .map((origin, i) => ({ origin, address: r.address(first + i * entrySize) }))
        .filter((c): c is Chunk => c.address !== undefined);
    }
  }
}

/**
 * Copies a chunked dataset's elements into one row-major buffer of `shape` (elements of
 * `itemSize` bytes). Chunks that were never written stay zero.
 */
export function readChunked(r: ByteReader, layout: Extract<Layout, { kind: 'chunked' }>, shape: number[], itemSize: number): Uint8Array {
  const total = shape.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(total * itemSize);
  const chunk = layout.chunk;
  if (chunk.length !== shape.length) r.fail('is corrupt: chunk rank differs from the dataset rank', shape.length, chunk.length);
  const chunkElements = chunk.reduce((a, b) => a * b, 1);
  const chunkBytes = chunkElements * itemSize;
  if (layout.filteredSize !== undefined && layout.filteredSize !== chunkBytes) r.fail('holds a compressed chunk, which this reader does not support');
  const rank = shape.length;
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const chunkStrides = chunk.map((_, d) => chunk.slice(d + 1).reduce((a, b) => a * b, 1));
  for (const { origin, address } of listChunks(r, layout, shape, chunkBytes)) {
    const data = r.slice(address, chunkBytes, 'a data chunk');
    // Copy row by row along the last axis, clipping chunks that overhang the dataset's edge.
    const rowLength = Math.min(chunk[rank - 1]!, shape[rank - 1]! - origin[rank - 1]!);
    const counts = chunk.slice(0, rank - 1).map((c, d) => Math.min(c, shape[d]! - origin[d]!));
    const rows = counts.reduce((a, b) => a * b, 1);
    for (let row = 0; row < rows; row++) {
      let rest = row;
      let src = 0;
      let dst = origin[rank - 1]!;
      for (let d = rank - 2; d >= 0; d--) {
        const idx = rest % counts[d]!;
        rest = Math.floor(rest / counts[d]!);
        src += idx * chunkStrides[d]!;
        dst += (origin[d]! + idx) * strides[d]!;
      }
      out.set(data.subarray(src * itemSize, (src + rowLength) * itemSize), dst * itemSize);
    }
  }
  return out;
}
