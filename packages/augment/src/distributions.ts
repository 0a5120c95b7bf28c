import type { SeededRandom } from '@effnet/core';

/** Uniform in (0, 1]: safe to take the logarithm of. */
function openUniform(rng: SeededRandom): number {
  return 1 - rng.next();
}

/** A standard normal draw (Box–Muller; uses two uniforms and keeps no state besides `rng`). */
export function normal(rng: SeededRandom): number {
  const u = openUniform(rng);
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * The logarithm of a Gamma(shape, 1) draw, by Marsaglia and Tsang's squeeze method; shapes below
 * 1 use Gamma(shape + 1)·U^(1/shape). Returned as a logarithm so that tiny shapes (α = 0.1) do not
 * underflow to 0.
 */
export function logGamma(shape: number, rng: SeededRandom): number {
  if (!(shape > 0)) throw new RangeError(`gamma shape must be > 0, got ${shape}`);
  if (shape < 1) return logGamma(shape + 1, rng) + Math.log(openUniform(rng)) / shape;
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normal(rng);
    const t = 1 + c * x;
    if (t <= 0) continue;
    const v = t * t * t;
    const u = openUniform(rng);
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return Math.log(d * v);
  }
}

/** A Beta(a, b) draw, as X / (X + Y) with X ~ Gamma(a) and Y ~ Gamma(b). */
export function beta(a: number, b: number, rng: SeededRandom): number {
  const x = logGamma(a, rng);
  const y = logGamma(b, rng);
  return 1 / (1 + Math.exp(y - x));
}

/** A whole number in [0, n). */
export function uniformInt(n: number, rng: SeededRandom): number {
  return Math.min(n - 1, Math.floor(rng.next() * n));
}
