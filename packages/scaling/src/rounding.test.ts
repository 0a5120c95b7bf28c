import { describe, expect, it } from 'vitest';
import { roundFilters, roundRepeats, scaleResolution } from './rounding.js';

describe('round_filters / round_repeats', () => {
  it('rounds to multiples of 8 without the 90 % guard (official)', () => {
    expect(roundFilters(16, 1.2)).toBe(16); // 19.2 -> 16; the guard would give 24 (B3 stage 1)
    expect(roundFilters(16, 1.2, { roundLimit: 0.9 })).toBe(24);
    expect(roundFilters(32, 1.2)).toBe(40);
    expect(roundFilters(1280, 1.1)).toBe(1408);
    expect(roundFilters(1280, 1.2)).toBe(1536);
    expect(roundFilters(24, 0.4)).toBe(8); // 9.6 -> 8 (timm's guard: 16)
    expect(roundFilters(24, 0.4, { roundLimit: 0.9 })).toBe(16);
    expect(roundFilters(3, 0.1)).toBe(8); // min depth
    expect(roundFilters(48, 1)).toBe(48);
  });

  it('rounds repeats up, with float arithmetic as Python does', () => {
    expect([1, 2, 2, 3, 5, 8].map((r) => roundRepeats(r, 1.1))).toEqual([2, 3, 3, 4, 6, 9]);
    expect([1, 2, 2, 3, 5, 8].map((r) => roundRepeats(r, 1.4))).toEqual([2, 3, 3, 5, 7, 12]);
    expect(roundRepeats(3, 1.1)).toBe(4); // 1.1 * 3 = 3.3000000000000003
    expect(roundRepeats(10, 1.1)).toBe(11);
    expect(roundRepeats(15, 0.5)).toBe(8);
  });

  it('scales resolution in steps of 8 and caps evaluation at 480', () => {
    expect(scaleResolution(384, 1.1)).toBe(424);
    expect(scaleResolution(384, 1.5)).toBe(480);
    expect(scaleResolution(384, 1.5, 1000)).toBe(576);
  });
});
