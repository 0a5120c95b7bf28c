import { createModel, resolveArchitecture } from '@effnet/core';
import { registerBlocks } from '@effnet/blocks';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerVariants } from './register.js';

beforeAll(() => {
  registerBlocks();
  registerVariants();
});

describe('custom variants from JSON', () => {
  it('a base variant with new width, depth and classes', () => {
    const s = resolveArchitecture({ base: 'efficientnetv2-m', width: 0.35, depth: 0.4, numClasses: 5 });
    expect(s.numClasses).toBe(5);
    expect(s.name).toBe('efficientnetv2-m-width0.35-depth0.4');
    expect(s.stages.map((st) => st.repeats)).toEqual([2, 2, 2, 3, 6, 8, 2]);
    expect(s.stem.channels).toBe(8);
    expect(s.headChannels).toBe(448); // round_filters(1280 x 0.35), as the official code scales the head
    expect(s.trainSize).toBe(384);
    expect(resolveArchitecture({ base: 'efficientnetv2-m', width: 0.35, depth: 0.4, convention: 'timm' }).headChannels).toBe(1280);
  });

  it('explicit block strings with stem and head channels', () => {
    const s = resolveArchitecture({
      blocks: ['r1_k3_s1_e1_i32_o16_c1', 'r2_k3_s2_e4_i16_o32_c1', 'r2_k3_s2_e4_i32_o48_se0.25'],
      stemChannels: 32,
      headChannels: 640,
      width: 0.5,
      depth: 1.5,
      numClasses: 3,
    });
    expect(s.stem.channels).toBe(16);
    expect(s.stages.map((st) => [st.type, st.repeats, st.inChannels, st.outChannels])).toEqual([
      ['fused_mbconv', 2, 16, 8],
      ['fused_mbconv', 3, 8, 16],
      ['mbconv', 3, 16, 24],
    ]);
    expect(s.headChannels).toBe(320);
  });

  it('resolution scaling caps evaluation at 480', () => {
    const s = resolveArchitecture({ base: 'efficientnetv2-l', resolution: 1.2 });
    expect(s.evalSize).toBe(480);
    expect(s.trainSize).toBe(464);
  });

  it('names the bad field, with expected and actual values', () => {
    expect(() => resolveArchitecture({ base: 'efficientnetv2-m', width: 'wide' }, { file: 'my.json' })).toThrow(/my\.json: width: must be a number \(expected a number, got "wide"\)/);
    expect(() => resolveArchitecture({ base: 'efficientnetv2-m', widht: 0.5 }, { file: 'my.json' })).toThrow(/my\.json: widht: is not a known field/);
    expect(() => resolveArchitecture({ width: 0.5 }, { file: 'my.json' })).toThrow(/my\.json: base: a config needs "base"/);
    expect(() => resolveArchitecture({ base: 'efficientnetv2-q' }, { file: 'my.json' })).toThrow(/my\.json: base: unknown variant "efficientnetv2-q".*Known variants: efficientnetv2-b0/);
    expect(() => resolveArchitecture({ blocks: ['r1_k3_s1_e1_i32_o16_c1', 'r1_k3_s2_e4_i24_o32_c1'] }, { file: 'my.json' })).toThrow(
      /my\.json: stages\[1\]\.inChannels: must equal the previous stage's outChannels \(expected 16, got 24\)/,
    );
    expect(() => resolveArchitecture({ blocks: ['r1_k3_s1_e1_i32_o16_c1'], numClasses: -2 }, { file: 'c.json' })).toThrow(/c\.json: numClasses: is too small/);
    expect(() => createModel({ blocks: ['r1_k4_s1_e1_i32_o16_c1'] }, { file: 'c.json' })).toThrow(/stages\[0\]\.kernel.*odd kernel/);
  });

  it('an unknown variant name lists the known ones', () => {
    expect(() => createModel('efficientnetv2-s2')).toThrow(/unknown variant "efficientnetv2-s2". Did you mean .*"efficientnetv2-s".*Known variants: efficientnetv2-b0, efficientnetv2-b1/);
  });
});
