import { SeededRandom } from '@effnet/core';
import { describe, expect, it } from 'vitest';
import { beta, logGamma, normal } from './distributions.js';

function moments(draw: () => number, n = 40000): { mean: number; variance: number } {
  const xs = Array.from({ length: n }, draw);
  const mean = xs.reduce((s, v) => s + v, 0) / n;
  return { mean, variance: xs.reduce((s, v) => s + (v - mean) ** 2, 0) / n };
}

describe('seeded distributions', () => {
  it('normal has mean 0 and variance 1', () => {
    const rng = new SeededRandom(1);
    const { mean, variance } = moments(() => normal(rng));
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.03);
  });

  for (const shape of [0.2, 1, 3.5]) {
    it(`Gamma(${shape}) has mean and variance ${shape}`, () => {
      const rng = new SeededRandom(2);
      const { mean, variance } = moments(() => Math.exp(logGamma(shape, rng)));
      expect(Math.abs(mean - shape) / shape).toBeLessThan(0.03);
      expect(Math.abs(variance - shape) / shape).toBeLessThan(0.08);
    });
  }

  for (const alpha of [0.1, 0.2, 1, 4]) {
    it(`Beta(${alpha}, ${alpha}) has mean 1/2 and variance 1 / (4(2α + 1))`, () => {
      const rng = new SeededRandom(3);
      const { mean, variance } = moments(() => beta(alpha, alpha, rng));
      expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
      expect(Math.abs(variance - 1 / (4 * (2 * alpha + 1))) / variance).toBeLessThan(0.04);
    });
  }

  it('stays finite and in [0, 1] for tiny alphas, and repeats with the seed', () => {
    const a = new SeededRandom(4);
    const xs = Array.from({ length: 2000 }, () => beta(0.02, 0.02, a));
    expect(xs.every((x) => Number.isFinite(x) && x >= 0 && x <= 1)).toBe(true);
    const b = new SeededRandom(4);
    expect(Array.from({ length: 2000 }, () => beta(0.02, 0.02, b))).toEqual(xs);
  });
});
