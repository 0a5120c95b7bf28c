import { describe, expect, it } from 'vitest';
import { BASE_BLOCKS } from './base-blocks.js';
import { decodeBlockString, encodeBlockString } from './block-string.js';

describe('block strings', () => {
  it('decodes the official encoding', () => {
    expect(decodeBlockString('r2_k3_s1_e1_i24_o24_c1')).toEqual({ repeats: 2, kernel: 3, stride: 1, expandRatio: 1, inChannels: 24, outChannels: 24, fused: true });
    expect(decodeBlockString('r15_k3_s2_e6_i160_o256_se0.25')).toEqual({ repeats: 15, kernel: 3, stride: 2, expandRatio: 6, inChannels: 160, outChannels: 256, seRatio: 0.25, fused: false });
    expect(decodeBlockString('r1_k3_s1_e1_i32_o16_c1_f1').fused).toBe(true); // f is ignored, as officially
  });

  it('round-trips every built-in string', () => {
    for (const list of Object.values(BASE_BLOCKS)) for (const s of list) expect(encodeBlockString(decodeBlockString(s))).toBe(s);
  });

  it('names the field and the bad token', () => {
    expect(() => decodeBlockString('r2_k3_s1_e1_i24', 'blocks[1]')).toThrow(/blocks\[1\]: lacks "o"/);
    expect(() => decodeBlockString('r2_k3_s1_e1_i24_o24_x9', 'blocks[0]')).toThrow(/unknown key "x"/);
    expect(() => decodeBlockString('r2_kk_s1', 'blocks[0]')).toThrow(/malformed token "kk"/);
    expect(() => decodeBlockString('r0_k3_s1_e1_i24_o24')).toThrow(/bad repeats/);
    expect(() => decodeBlockString('r1_k3_s1_e1_i24_o24_se1.5')).toThrow(/bad SE ratio/);
    expect(() => decodeBlockString('r1_k3_s1_e1_i24_o24_c2')).toThrow(/bad conv type/);
  });
});
