import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describeArchitecture, resolveArchitecture } from '@effnet/core';
import { registerBlocks } from '@effnet/blocks';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../core/src/test-support/paths.js';
import { registerVariants } from './register.js';

interface Reference {
  models: Record<string, { params: number; numFeatures: number; macs: Record<string, number> }>;
}
const reference = JSON.parse(readFileSync(path.resolve(REPO_ROOT, '../shared/reference/param-counts.json'), 'utf8')) as Reference;

beforeAll(() => {
  registerBlocks();
  registerVariants();
});

describe('EfficientNetV2 variants', () => {
  it.each(Object.keys(reference.models))('%s: params exact, MACs within 1 %% of the reference', (name) => {
    const ref = reference.models[name]!;
    const spec = resolveArchitecture(name, { numClasses: 1000 });
    expect(spec.headChannels).toBe(ref.numFeatures);
    for (const [res, macs] of Object.entries(ref.macs)) {
      const s = describeArchitecture(spec, Number(res));
      expect(s.params).toBe(ref.params);
      expect(Math.abs(s.macs - macs) / macs).toBeLessThan(0.01);
    }
  });

  it('B0-B3 stage channels and repeats follow the official rules', () => {
    const table = (name: string) => {
      const s = resolveArchitecture(name);
      return [s.stem.channels, ...s.stages.map((st) => `${st.repeats},${st.inChannels},${st.outChannels}`), s.headChannels].join(' ');
    };
    expect(table('efficientnetv2-b0')).toBe('32 1,32,16 2,16,32 2,32,48 3,48,96 5,96,112 8,112,192 1280');
    expect(table('efficientnetv2-b1')).toBe('32 2,32,16 3,16,32 3,32,48 4,48,96 6,96,112 9,112,192 1280');
    expect(table('efficientnetv2-b2')).toBe('32 2,32,16 3,16,32 3,32,56 4,56,104 6,104,120 10,120,208 1408');
    expect(table('efficientnetv2-b3')).toBe('40 2,40,16 3,16,40 3,40,56 5,56,112 7,112,136 12,136,232 1536');
  });

  it('records sizes and dropout of the official table', () => {
    const rows = ['b0', 'b1', 'b2', 'b3', 's', 'm', 'l', 'xl'].map((v) => {
      const s = resolveArchitecture(`efficientnetv2-${v}`);
      return `${v}:${s.trainSize}/${s.evalSize}/${s.dropout}`;
    });
    expect(rows).toEqual(['b0:192/224/0.2', 'b1:192/240/0.2', 'b2:208/260/0.3', 'b3:240/300/0.3', 's:300/384/0.2', 'm:384/480/0.3', 'l:384/480/0.4', 'xl:384/512/0.4']);
  });
});
