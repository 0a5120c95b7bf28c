import { gzipSync } from 'node:zlib';

/** One entry of a hand-made tarball; `type` is the ustar type flag ('0' file, '2' symlink, ...). */
export interface TarEntry {
  path: string;
  data?: Uint8Array | string;
  type?: string;
  linkTarget?: string;
}

function put(block: Uint8Array, offset: number, length: number, value: string): void {
  const bytes = new TextEncoder().encode(value);
  block.set(bytes.subarray(0, length), offset);
}

function octal(value: number, length: number): string {
  return `${value.toString(8).padStart(length - 1, '0')}\0`;
}

function header(name: string, size: number, type: string, linkTarget = ''): Uint8Array {
  const h = new Uint8Array(512);
  put(h, 0, 100, name);
  put(h, 100, 8, octal(0o644, 8));
  put(h, 108, 8, octal(0, 8));
  put(h, 116, 8, octal(0, 8));
  put(h, 124, 12, octal(size, 12));
  put(h, 136, 12, octal(0, 12));
  h.fill(32, 148, 156);
  put(h, 156, 1, type);
  put(h, 157, 100, linkTarget);
  put(h, 257, 6, 'ustar\0');
  put(h, 263, 2, '00');
  let sum = 0;
  for (const b of h) sum += b;
  put(h, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}

function padded(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / 512) * 512);
  out.set(data);
  return out;
}

/**
 * A gzipped tarball with exactly the given entries, paths written as they are (no checks), so
 * tests can make hostile ones. Paths over 100 characters get a pax header.
 */
export function makeTarball(entries: TarEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    const data = typeof e.data === 'string' ? new TextEncoder().encode(e.data) : (e.data ?? new Uint8Array(0));
    let name = e.path;
    if (name.length > 100) {
      const record = (len: number) => `${len} path=${e.path}\n`;
      let len = record(0).length;
      while (record(len).length !== len) len = record(len).length;
      const pax = new TextEncoder().encode(record(len));
      parts.push(header('PaxHeader', pax.length, 'x'), padded(pax));
      name = e.path.slice(-100);
    }
    parts.push(header(name, e.type === '2' || e.type === '1' ? 0 : data.length, e.type ?? '0', e.linkTarget), padded(data));
  }
  parts.push(new Uint8Array(1024));
  const total = parts.reduce((n, p) => n + p.length, 0);
  const tar = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    tar.set(p, o);
    o += p.length;
  }
  return gzipSync(tar);
}
