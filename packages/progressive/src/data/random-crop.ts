import { FieldChecker, type SeededRandom } from '@effnet/core';

/** A crop of an image, in fractions of its height and width, optionally mirrored left to right. */
export interface CropBox {
  top: number;
  left: number;
  height: number;
  width: number;
  /** Mirror the crop horizontally. */
  flip: boolean;
}

/**
 * Random-resized-crop settings (the official code's Inception-style crop): a box covering a
 * uniform share `scale` of the image's area with a log-uniform aspect ratio in `ratio`, resized to
 * the stage's image size, and a horizontal flip with probability `flip`. Objects then appear at
 * many scales, so that what a network learns on small images carries over to larger ones.
 */
export interface RandomCropOptions {
  /** Range of the crop's area as a share of the image (default [0.25, 1]). */
  scale?: [number, number];
  /** Range of the crop's aspect ratio width/height (default [3/4, 4/3]). */
  ratio?: [number, number];
  /** Probability of a horizontal flip (default 0.5). */
  flip?: number;
}

/** {@link RandomCropOptions}, checked, with defaults filled in. */
export type ResolvedCropOptions = Required<RandomCropOptions>;

/** Checks crop options; errors name the field. */
export function resolveCropOptions(o: RandomCropOptions, field = 'crop'): ResolvedCropOptions {
  const c = new FieldChecker(undefined, 'BAD_TRAINER_OPTION');
  const range = (v: [number, number] | undefined, name: string, fallback: [number, number], min: number, max: number): [number, number] => {
    const r = v ?? fallback;
    if (!Array.isArray(r) || r.length !== 2) c.fail(`${field}.${name}`, 'is not a [low, high] pair', '[low, high]', JSON.stringify(r));
    const lo = c.number(r[0], `${field}.${name}[0]`, { above: min, max });
    const hi = c.number(r[1], `${field}.${name}[1]`, { above: min, max });
    if (lo > hi) c.fail(`${field}.${name}`, 'has its low end above its high end', 'low <= high', JSON.stringify(r));
    return [lo, hi];
  };
  return {
    scale: range(o.scale, 'scale', [0.25, 1], 0, 1),
    ratio: range(o.ratio, 'ratio', [3 / 4, 4 / 3], 0, 100),
    flip: c.number(o.flip ?? 0.5, `${field}.flip`, { min: 0, max: 1 }),
  };
}

/**
 * Draws one crop box for an image of `height` x `width` pixels: up to 10 tries at a box of the
 * drawn area and aspect ratio that fits, else the whole image (as the official code falls back
 * to a centre crop). Always consumes the same number of random numbers, so that the sequence of
 * a batch does not depend on the image shape.
 */
export function randomCrop(o: ResolvedCropOptions, rng: SeededRandom, height: number, width: number): CropBox {
  const flip = rng.next() < o.flip;
  let box: CropBox | undefined;
  const [logLo, logHi] = [Math.log(o.ratio[0]), Math.log(o.ratio[1])];
  for (let attempt = 0; attempt < 10; attempt++) {
    const area = o.scale[0] + (o.scale[1] - o.scale[0]) * rng.next();
    const ratio = Math.exp(logLo + (logHi - logLo) * rng.next());
    const [u, v] = [rng.next(), rng.next()];
    if (box) continue;
    // Fractions of the height and width whose product is `area` with w/h = ratio in pixels.
    const w = Math.sqrt((area * ratio * height) / width);
    const h = Math.sqrt((area * width) / (ratio * height));
    if (w <= 1 && h <= 1) box = { top: u * (1 - h), left: v * (1 - w), height: h, width: w, flip };
  }
  return box ?? { top: 0, left: 0, height: 1, width: 1, flip };
}
