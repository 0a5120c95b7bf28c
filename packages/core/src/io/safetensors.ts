import { EffnetError } from '../errors.js';

/** One tensor of a safetensors file. */
export interface SafeTensor {
  name: string;
  dtype: string;
  shape: number[];
  /** Float32 values (only F32 files are read). */
  data: Float32Array;
}

const MAX_HEADER = 100 * 1024 * 1024;

/**
 * Parses a safetensors file: an 8-byte little-endian header length, a JSON header
 * `{name: {dtype, shape, data_offsets}}` and the raw little-endian data. Checks the header
 * length, every offset and size, and that every tensor is F32; errors name the file and tensor.
 * Tensors whose names match `options.ignore` (e.g. PyTorch's int64 `num_batches_tracked`) are
 * left out unread.
 */
export function parseSafetensors(bytes: Uint8Array, file = 'safetensors', options: { ignore?: RegExp } = {}): Map<string, SafeTensor> {
  const fail = (message: string, field?: string, expected?: unknown, actual?: unknown): never => {
    throw new EffnetError('BAD_SAFETENSORS', message, {
      file,
      ...(field ? { field } : {}),
      ...(expected !== undefined ? { expected, actual } : {}),
    });
  };
  if (bytes.length < 8) fail('is too short to be a safetensors file', undefined, 'at least 8 bytes', `${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (headerLen > bytes.length - 8 || headerLen > MAX_HEADER) {
    fail('has a bad header length (the file is truncated or not safetensors)', 'header length', `at most ${Math.min(bytes.length - 8, MAX_HEADER)}`, headerLen);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen)));
  } catch (e) {
    fail(`has a header that is not valid JSON: ${(e as Error).message}`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('has a header that is not a JSON object');
  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const out = new Map<string, SafeTensor>();
  const ranges: [number, number, string][] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__' || options.ignore?.test(name)) continue;
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (!e || typeof e !== 'object') fail('has a malformed header entry', name);
    if (e.dtype !== 'F32') fail('has an unsupported dtype (only float32 checkpoints are read)', name, 'F32', e.dtype);
    if (!Array.isArray(e.shape) || e.shape.some((d) => !Number.isInteger(d) || d < 0)) fail('has a malformed shape', name, 'array of non-negative integers', e.shape);
    const offsets = e.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || offsets.some((d) => !Number.isInteger(d) || d < 0)) {
      fail('has malformed data_offsets', name, '[begin, end]', offsets);
    }
    const [begin, end] = offsets as [number, number];
    if (end > dataLen) fail('has data_offsets past the end of the file (truncated?)', name, `end <= ${dataLen}`, end);
    if (end < begin) fail('has data_offsets that end before they begin', name, `end >= ${begin}`, end);
    const shape = e.shape as number[];
    const count = shape.reduce((a, b) => a * b, 1);
    if (end - begin !== count * 4) fail('has a byte size that does not match its shape', name, `${count * 4} bytes for [${shape.join(', ')}]`, `${end - begin} bytes`);
    ranges.push([begin, end, name]);
    const data = new Float32Array(count);
    const base = dataStart + begin;
    for (let i = 0; i < count; i++) data[i] = view.getFloat32(base + i * 4, true);
    out.set(name, { name, dtype: 'F32', shape, data });
  }
  ranges.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i]![0] < ranges[i - 1]![1]) fail(`overlaps tensor "${ranges[i - 1]![2]}"`, ranges[i]![2]);
  }
  return out;
}

/** Writes tensors as a safetensors file (F32, tensors in the given order). */
export function encodeSafetensors(tensors: Iterable<{ name: string; shape: number[]; data: Float32Array }>, metadata?: Record<string, string>): Uint8Array {
  const list = [...tensors];
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of list) {
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.length * 4] };
    offset += t.data.length * 4;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const t of list) {
    for (let i = 0; i < t.data.length; i++) view.setFloat32(pos + i * 4, t.data[i]!, true);
    pos += t.data.length * 4;
  }
  return out;
}
