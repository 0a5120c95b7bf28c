import type { ByteReader } from './byte-reader.js';
import type { Link } from './messages.js';

/** A local heap's data segment (names of a symbol-table group). */
function localHeapData(r: ByteReader, address: number): { start: number; end: number } {
  r.expectSignature(address, 'HEAP', 'local heap');
  const L = r.sizeOfLengths;
  const size = r.lengthField(address + 8);
  const start = r.address(address + 8 + 2 * L)!;
  r.need(start, size, 'a local heap');
  return { start, end: start + size };
}

/** Visits the children of a version-1 B-tree node (`TREE`) of `nodeType`, depth first. */
export function walkBtreeV1(r: ByteReader, address: number, nodeType: number, keySize: number, visit: (child: number, key: number, level: number) => void, depth = 0): void {
  if (depth > 64) r.fail('is corrupt: a B-tree deeper than 64 levels');
  r.expectSignature(address, 'TREE', 'B-tree node');
  const type = r.u8(address + 4);
  if (type !== nodeType) r.fail(`is corrupt: B-tree node of type ${type} where type ${nodeType} was expected, at byte ${address}`);
  const level = r.u8(address + 5);
  const entries = r.u16(address + 6);
  const O = r.sizeOfOffsets;
  let pos = address + 8 + 2 * O; // signature, type, level, entries, left and right siblings
  for (let i = 0; i < entries; i++) {
    const key = pos;
    const child = r.address(pos + keySize)!;
    pos += keySize + O;
    if (level > 0) walkBtreeV1(r, child, nodeType, keySize, visit, depth + 1);
    else visit(child, key, level);
  }
}

/**
 * The links of an old-style group: its symbol table message points at a version-1 B-tree whose
 * leaves are symbol nodes (`SNOD`), and at a local heap holding the names.
 */
export function symbolTableLinks(r: ByteReader, btree: number, heap: number): Link[] {
  const names = localHeapData(r, heap);
  const O = r.sizeOfOffsets;
  const links: Link[] = [];
  walkBtreeV1(r, btree, 0, r.sizeOfLengths, (snod) => {
    r.expectSignature(snod, 'SNOD', 'symbol table node');
    const count = r.u16(snod + 6);
    const entrySize = 2 * O + 24;
    for (let i = 0; i < count; i++) {
      const entry = snod + 8 + i * entrySize;
      const nameOffset = r.uint(entry, O);
      links.push({ name: r.zString(names.start + nameOffset, names.end), address: r.address(entry + O) });
    }
  });
  return links;
}
