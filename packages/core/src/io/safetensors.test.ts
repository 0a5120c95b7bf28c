import { describe, expect, it } from 'vitest';
import { encodeSafetensors, parseSafetensors } from './safetensors.js';

function fileWithHeader(header: unknown, dataBytes: number, headerLenOverride?: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLenOverride ?? json.length), true);
  out.set(json, 8);
  return out;
}

describe('safetensors', () => {
  it('round-trips tensors', () => {
    const a = { name: 'a.weight', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) };
    const b = { name: 'b', shape: [1], data: Float32Array.from([-1.5]) };
    const parsed = parseSafetensors(encodeSafetensors([a, b], { format: 'pt' }));
    expect([...parsed.keys()]).toEqual(['a.weight', 'b']);
    expect([...parsed.get('a.weight')!.data]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(parsed.get('b')!.shape).toEqual([1]);
  });

  it('rejects a header length past the end of the file', () => {
    expect(() => parseSafetensors(fileWithHeader({}, 0, 1 << 20), 'w.safetensors')).toThrow(/w\.safetensors: header length: has a bad header length/);
  });

  it('rejects data offsets past the end', () => {
    const f = fileWithHeader({ x: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, 8);
    expect(() => parseSafetensors(f, 'w.safetensors')).toThrow(/w\.safetensors: x: has data_offsets past the end of the file/);
  });

  it('rejects dtypes other than F32, naming the tensor', () => {
    const f = fileWithHeader({ conv: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, 4);
    expect(() => parseSafetensors(f, 'h.safetensors')).toThrow(/h\.safetensors: conv: has an unsupported dtype .*expected F32, got F16/);
  });

  it('leaves out tensors matching `ignore`, whatever their dtype', () => {
    const f = fileWithHeader({ 'bn.num_batches_tracked': { dtype: 'I64', shape: [], data_offsets: [0, 8] }, 'bn.weight': { dtype: 'F32', shape: [2], data_offsets: [8, 16] } }, 16);
    expect(() => parseSafetensors(f, 't.safetensors')).toThrow(/bn\.num_batches_tracked: has an unsupported dtype/);
    expect([...parseSafetensors(f, 't.safetensors', { ignore: /num_batches_tracked$/ }).keys()]).toEqual(['bn.weight']);
  });

  it('rejects a size that does not match the shape, overlaps, bad JSON and short files', () => {
    expect(() => parseSafetensors(fileWithHeader({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8))).toThrow(/does not match its shape/);
    expect(() =>
      parseSafetensors(fileWithHeader({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, y: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, 8)),
    ).toThrow(/overlaps/);
    const bad = fileWithHeader({}, 0);
    bad[8] = 0x7b;
    bad[9] = 0x7b;
    expect(() => parseSafetensors(bad)).toThrow(/not valid JSON/);
    expect(() => parseSafetensors(new Uint8Array(4), 's.safetensors')).toThrow(/too short/);
  });
});
