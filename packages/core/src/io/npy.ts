import { EffnetError } from '../errors.js';

/** A dense float32 array with its shape, as stored in a `.npy` file. */
export interface NpyArray {
  shape: number[];
  data: Float32Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/**
 * Parses a NumPy `.npy` file holding a little-endian float32 (or uint8, returned as float32) array
 * in C order (versions 1-3 of the format). The data must fill the file exactly: a shape that
 * disagrees with the byte count, either way, is refused. Anything else gets an error naming the
 * file and what was found.
 */
export function parseNpy(bytes: Uint8Array, file = '.npy'): NpyArray {
  const fail = (message: string, expected?: unknown, actual?: unknown): never => {
    throw new EffnetError('BAD_NPY', message, expected !== undefined ? { file, expected, actual } : { file });
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) fail('is not a .npy file (bad magic)');
  const major = bytes[6]!;
  if (major < 1 || major > 3) fail('has an unsupported .npy version', '1, 2 or 3', major);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerStart = major === 1 ? 10 : 12;
  if (bytes.length < headerStart) fail('is truncated inside its header', `${headerStart} bytes at least`, bytes.length);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = headerStart + headerLen;
  if (dataStart > bytes.length) fail('is truncated inside its header', `${dataStart} bytes at least`, bytes.length);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) fail('has a malformed .npy header', "{'descr', 'fortran_order', 'shape'}", header.trim());
  const uint8 = descr === '|u1' || descr === '<u1' || descr === '=u1';
  if (!uint8 && descr !== '<f4' && descr !== '=f4' && descr !== '|f4') fail('must hold float32 data', "dtype '<f4' (float32)", `'${descr}'`);
  if (fortran === 'True') fail('must be in C order', 'fortran_order False', 'True');
  const shape = shapeText!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0 || Object.is(d, -0))) fail('has a malformed shape', 'non-negative integers', shapeText);
  const count = shape.reduce((a, b) => a * b, 1);
  const needed = dataStart + count * (uint8 ? 1 : 4);
  if (bytes.length < needed) fail('is truncated', `${needed} bytes for shape [${shape.join(', ')}]`, `${bytes.length} bytes`);
  if (bytes.length > needed) fail('has bytes after its data (the shape does not match the file)', `${needed} bytes for shape [${shape.join(', ')}]`, `${bytes.length} bytes`);
  const data = new Float32Array(count);
  if (uint8) data.set(bytes.subarray(dataStart, dataStart + count));
  else for (let i = 0; i < count; i++) data[i] = view.getFloat32(dataStart + i * 4, true);
  return { shape, data };
}

/** Encodes a float32 array as a `.npy` file (format 1.0, little-endian, C order). */
export function encodeNpy(array: NpyArray): Uint8Array {
  const shapeText = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + array.data.length * 4);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const start = 10 + header.length;
  for (let i = 0; i < array.data.length; i++) view.setFloat32(start + i * 4, array.data[i]!, true);
  return out;
}
