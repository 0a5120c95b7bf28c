import { describe, expect, it } from 'vitest';
import { Hdf5Dataset, readHdf5 } from './hdf5-file.js';
import { writeHdf5, type Hdf5DatasetInput, type Hdf5GroupInput } from './hdf5-writer.js';

/** A tree with `n` groups under `/many`, a nested dataset and string/number attributes. */
function sample(n: number): Hdf5GroupInput {
  const many = new Map<string, Hdf5GroupInput>();
  for (let i = n - 1; i >= 0; i--) many.set(`layer_${String(i).padStart(4, '0')}`, { kind: 'group', attributes: [['index', { numbers: [i] }]] });
  const data = Float32Array.from({ length: 24 }, (_, i) => i * 0.5 - 3);
  return {
    kind: 'group',
    attributes: [
      ['layer_names', { strings: ['b', 'a', 'stem_conv'] }],
      ['backend', { strings: ['tensorflow'], scalar: true }],
      ['empty', { numbers: [] }],
    ],
    children: new Map<string, Hdf5GroupInput | Hdf5DatasetInput>([
      ['many', { kind: 'group', children: many }],
      ['stem_conv', { kind: 'group', children: new Map([['stem_conv', { kind: 'group', children: new Map([['kernel:0', { kind: 'dataset', shape: [2, 3, 4], data }]]) }]]) }],
      ['nothing', { kind: 'group' }],
    ]),
  };
}

describe('HDF5 writer', () => {
  it.each([0, 5, 300, 2000])('writes %i groups that read back', (n) => {
    const file = readHdf5(writeHdf5(sample(n)), 'out.h5');
    expect(file.superblockVersion).toBe(0);
    expect(file.root.keys()).toEqual(['many', 'nothing', 'stem_conv']);
    expect(file.root.attribute('layer_names')!.strings()).toEqual(['b', 'a', 'stem_conv']);
    expect(file.root.attribute('backend')!.shape).toEqual([]);
    expect(file.root.attribute('backend')!.strings()).toEqual(['tensorflow']);
    expect(file.root.attribute('empty')!.numbers()).toHaveLength(0);
    const many = file.root.group('many')!;
    const keys = many.keys();
    expect(keys).toHaveLength(n);
    expect(keys).toEqual([...keys].sort());
    if (n > 0) expect([...many.group(keys[n - 1]!)!.attribute('index')!.numbers()]).toEqual([n - 1]);
    const ds = file.root.get('stem_conv/stem_conv/kernel:0') as Hdf5Dataset;
    expect(ds.shape).toEqual([2, 3, 4]);
    expect([...ds.float32()]).toEqual(Array.from({ length: 24 }, (_, i) => i * 0.5 - 3));
    expect(file.root.group('nothing')!.keys()).toEqual([]);
  });

  it('refuses a header message over 64 KiB', () => {
    const big: Hdf5GroupInput = { kind: 'group', attributes: [['layer_names', { strings: Array.from({ length: 5000 }, (_, i) => `block${i}_expand_conv`) }]] };
    expect(() => writeHdf5(big)).toThrow(/exceeds 64 KiB/);
  });
});
