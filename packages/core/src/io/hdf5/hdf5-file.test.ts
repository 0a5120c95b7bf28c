import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../test-support/paths.js';
import { Hdf5Dataset, Hdf5Group, readHdf5, type Hdf5Attribute } from './hdf5-file.js';

const DIR = path.join(REPO_ROOT, 'fixtures/hdf5');

type AttrValue = string | number | string[] | { shape: number[]; values: number[] };
interface Expected {
  files: Record<
    string,
    {
      groups: Record<string, { children: string[]; attrs: Record<string, AttrValue> }>;
      datasets: Record<string, { shape: number[]; values: number[]; attrs: Record<string, AttrValue> }>;
    }
  >;
}

const expected = JSON.parse(readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as Expected;

/** Our decoding of an attribute, in the shape h5py's record uses. */
function attrValue(a: Hdf5Attribute): AttrValue {
  if (a.isString) return a.shape.length === 0 ? a.strings()[0]! : a.strings();
  const values = [...a.numbers()];
  return a.shape.length === 0 ? values[0]! : { shape: a.shape, values };
}

function attrs(node: Hdf5Group | Hdf5Dataset): Record<string, AttrValue> {
  return Object.fromEntries([...node.attributes()].map(([k, a]) => [k, attrValue(a)]));
}

describe('HDF5 reader reads what h5py wrote', () => {
  it.each(Object.keys(expected.files))('%s', (name) => {
    const want = expected.files[name]!;
    const file = readHdf5(readFileSync(path.join(DIR, name)), name);
    for (const [p, g] of Object.entries(want.groups)) {
      const node = p === '/' ? file.root : file.root.get(p);
      expect(node, p).toBeInstanceOf(Hdf5Group);
      expect((node as Hdf5Group).keys(), p).toEqual(g.children);
      expect(attrs(node!), p).toEqual(g.attrs);
    }
    for (const [p, d] of Object.entries(want.datasets)) {
      const node = file.root.get(p);
      expect(node, p).toBeInstanceOf(Hdf5Dataset);
      const ds = node as Hdf5Dataset;
      expect(ds.shape, p).toEqual(d.shape);
      expect([...ds.numbers()], p).toEqual(d.values);
      if (ds.dtype === 'float32') expect([...ds.float32()], p).toEqual(d.values);
      expect(attrs(ds), p).toEqual(d.attrs);
    }
  });
});
