import { gunzipSync } from 'node:zlib';
import { EffnetError } from '@effnet/core';

/** A regular file read from a package tarball, with its path relative to the package root. */
export interface TarFile {
  path: string;
  data: Uint8Array;
}

const BLOCK = 512;
const decoder = new TextDecoder();

function text(block: Uint8Array, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return decoder.decode(end === -1 ? field : field.subarray(0, end));
}

function octal(block: Uint8Array, start: number, length: number, file: string): number {
  if (block[start]! & 0x80) {
    // GNU base-256 for large values.
    let n = 0;
    for (let i = start + 1; i < start + length; i++) n = n * 256 + block[i]!;
    return n;
  }
  const s = text(block, start, length).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new EffnetError('BAD_TARBALL', 'has a corrupt header', { file, expected: 'octal numbers', actual: s });
  return parseInt(s, 8);
}

function checksumOk(block: Uint8Array, file: string): boolean {
  const stored = octal(block, 148, 8, file);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
  return sum === stored;
}

function paxRecords(data: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  const s = decoder.decode(data);
  let i = 0;
  while (i < s.length) {
    const space = s.indexOf(' ', i);
    const len = parseInt(s.slice(i, space), 10);
    if (!(len > 0) || space === -1) break;
    const record = s.slice(space + 1, i + len - 1);
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    i += len;
  }
  return out;
}

/**
 * The path of a tarball entry inside the package folder, or null for the top folder itself.
 * npm packs everything under one top folder (`package/`), which is stripped. Refuses absolute
 * paths, drive letters, backslashes and any `..` component, so no entry can land outside the
 * folder it is extracted into.
 */
export function safeEntryPath(raw: string, file: string): string | null {
  const refuse = (why: string): never => {
    throw new EffnetError('UNSAFE_TARBALL', `holds an entry whose path ${why}; refusing to extract anything`, { file, field: raw });
  };
  if (raw.includes('\0')) refuse('contains a NUL character');
  if (raw.includes('\\')) refuse('contains a backslash');
  if (raw.startsWith('/') || /^[a-zA-Z]:/.test(raw)) refuse('is absolute');
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) refuse('climbs out of its folder (..)');
  if (parts.length <= 1) return null;
  return parts.slice(1).join('/');
}

/**
 * Reads a gzipped npm package tarball into memory and returns its regular files, checking every
 * header first: a corrupt header, a link (symbolic or hard), a device or an unsafe path makes the
 * whole tarball refused before anything is written.
 */
export function readPackageTarball(gzipped: Uint8Array, file = 'package.tgz'): TarFile[] {
  let tar: Uint8Array;
  try {
    tar = gunzipSync(gzipped);
  } catch (e) {
    throw new EffnetError('BAD_TARBALL', `is not a gzipped tarball: ${(e as Error).message}`, { file });
  }
  const files: TarFile[] = [];
  let longName: string | undefined;
  let pax: Record<string, string> = {};
  let offset = 0;
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) break;
    if (!checksumOk(header, file)) throw new EffnetError('BAD_TARBALL', 'has a header with a wrong checksum (corrupt?)', { file, field: `offset ${offset}` });
    const type = String.fromCharCode(header[156]!);
    const size = pax.size !== undefined ? Number(pax.size) : octal(header, 124, 12, file);
    const start = offset + BLOCK;
    if (start + size > tar.length) throw new EffnetError('BAD_TARBALL', 'ends in the middle of an entry (truncated?)', { file });
    const data = tar.subarray(start, start + size);
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') {
      pax = paxRecords(data);
      continue;
    }
    if (type === 'L') {
      longName = text(data, 0, data.length);
      continue;
    }
    if (type === 'g') continue;
    const prefix = text(header, 345, 155);
    const ustarName = prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100);
    const name = pax.path ?? longName ?? ustarName;
    pax = {};
    longName = undefined;
    if (type === '1' || type === '2' || type === 'K') {
      throw new EffnetError('UNSAFE_TARBALL', 'holds a link; refusing to extract anything', { file, field: name, expected: 'regular files and folders', actual: type === '2' ? 'a symbolic link' : 'a hard link' });
    }
    if (type !== '0' && type !== '\0' && type !== '7' && type !== '5') {
      throw new EffnetError('UNSAFE_TARBALL', 'holds an entry that is neither a file nor a folder; refusing to extract anything', { file, field: name, expected: 'entry type 0 or 5', actual: type });
    }
    const path = safeEntryPath(name, file);
    if (path !== null && type !== '5') files.push({ path, data });
  }
  return files;
}
