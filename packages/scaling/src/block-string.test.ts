import { describe, expect, it } from 'vitest';
import { BASE_BLOCKS } from './base-blocks.js';
import { decodeBlockString, encodeBlockString } from './block-string.js';
import { EFFICIENTNET_B0_BLOCKS } from './efficientnet-variants.js';

describe('block strings', () => {
  it('decodes the official encoding', () => {
    expect(decodeBlockString('r2_k3_s1_e1_i24_o24_c1')).toEqual({ repeats: 2, kernel: 3, stride: 1, expandRatio: 1, inChannels: 24, outChannels: 24, fused: true });
    expect(decodeBlockString('r15_k3_s2_e6_i160_o256_se0.25')).toEqual({ repeats: 15, kernel: 3, stride: 2, expandRatio: 6, inChannels: 160, outChannels: 256, seRatio: 0.25, fused: false });
    expect(decodeBlockString('r1_k3_s1_e1_i32_o16_c1_f1').fused).toBe(true); // f is ignored, as officially
  });

  it('reads EfficientNet V1\'s per-axis strides (s11, s22)', () => {
    expect(decodeBlockString('r2_k5_s22_e6_i24_o40_se0.25')).toEqual({ repeats: 2, kernel: 5, stride: 2, expandRatio: 6, inChannels: 24, outChannels: 40, seRatio: 0.25, fused: false });
    expect(EFFICIENTNET_B0_BLOCKS.map((b) => decodeBlockString(b).stride)).toEqual([1, 2, 2, 2, 1, 2, 1]);
    expect(encodeBlockString(decodeBlockString('r1_k3_s11_e1_i32_o16_se0.25'))).toBe('r1_k3_s1_e1_i32_o16_se0.25');
    expect(() => decodeBlockString('r1_k3_s12_e1_i32_o16', 'blocks[0]')).toThrow(/blocks\[0\]: has different strides per axis \(expected equal strides, e\.g\. "s22", got s12\)/);
    expect(() => decodeBlockString('r1_k3_s0_e1_i32_o16')).toThrow(/bad stride/);
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
