import { describe, expect, it } from 'vitest';
import { ARCHITECTURE_LIMITS, validateArchitectureSpec } from './validate-spec.js';

const spec = (over: Record<string, unknown> = {}, stage: Record<string, unknown> = {}) => ({
  name: 'limits',
  stem: { channels: 8, kernel: 3, stride: 2 },
  stages: [{ type: 'mbconv', repeats: 2, kernel: 3, stride: 1, expandRatio: 4, inChannels: 8, outChannels: 8, seRatio: 0.25, ...stage }],
  headChannels: 32,
  numClasses: 10,
  dropout: 0.2,
  dropPathRate: 0.2,
  activation: 'silu',
  bnEpsilon: 1e-3,
  bnMomentum: 0.99,
  trainSize: 64,
  evalSize: 64,
  preprocessing: { scale: 1, offset: 0, mean: [0, 0, 0], std: [1, 1, 1] },
  ...over,
});

describe('architecture limits', () => {
  it('accept a spec inside them', () => {
    expect(validateArchitectureSpec(spec()).stages[0]!.repeats).toBe(2);
  });

  it('refuse, before anything is built, sizes that would take hours or gigabytes, naming the field', () => {
    const cases: [Record<string, unknown>, Record<string, unknown>, RegExp][] = [
      [{}, { repeats: 1e6 }, /^stages\[0\]\.repeats: is too large \(expected <= 1000, got 1000000\)/],
      [{ stages: Array.from({ length: 5 }, () => spec().stages[0]).map((s) => ({ ...s, repeats: 1000 })) }, {}, /^stages: have too many blocks in all \(expected at most 4096, got 5000\)/],
      [{}, { expandRatio: 1e4 }, /^stages\[0\]\.expandRatio: is too large/],
      [{}, { expandRatio: 64, inChannels: 8, outChannels: 8 }, /never/],
      [{ numClasses: 1e7 }, {}, /^numClasses: is too large \(expected <= 1000000, got 10000000\)/],
      [{ evalSize: 1e5 }, {}, /^evalSize: is too large/],
      [{ preprocessing: { scale: 1, offset: 0, mean: [0, 0, 0], std: [1, 1, 1], size: 30000 } }, {}, /^preprocessing\.size: is too large/],
      [{ headChannels: 1e6 }, {}, /^headChannels: is too large/],
    ];
    for (const [over, stage, message] of cases) {
      if (message.source === 'never') expect(() => validateArchitectureSpec(spec(over, stage))).not.toThrow();
      else expect(() => validateArchitectureSpec(spec(over, stage))).toThrow(message);
    }
    expect(ARCHITECTURE_LIMITS.blocks).toBeGreaterThanOrEqual(4096);
  });
});
