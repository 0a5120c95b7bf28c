import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseNpy, type SeededRandom } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';

/** The PIL golden images written by `scripts/make-pil-goldens.py`. */
export const PIL_FIXTURES = fileURLToPath(new URL('../../fixtures/pil/', import.meta.url));

/** One golden case: an op at one magnitude, with the explicit per-image arguments PIL used. */
export interface GoldenCase {
  name: string;
  op: string;
  magnitude: number | null;
  args: number[][];
  file: string;
}

/** The manifest of the golden images. */
export interface GoldenManifest {
  pillow: string;
  shape: [number, number, number, number];
  fill: number;
  signs: number[];
  inputs: string;
  cases: GoldenCase[];
}

/** Reads the manifest. */
export function readManifest(): GoldenManifest {
  return JSON.parse(readFileSync(PIL_FIXTURES + 'manifest.json', 'utf8')) as GoldenManifest;
}

/** Reads one uint8 `.npy` of the fixtures as a float32 `[N, H, W, C]` tensor. */
export function readImages(file: string): tf.Tensor4D {
  const { shape, data } = parseNpy(new Uint8Array(readFileSync(PIL_FIXTURES + file)), file);
  return tf.tensor4d(data, shape as [number, number, number, number]);
}

/**
 * A stand-in for the seeded generator that returns the given uniforms in turn, to make an op
 * draw a chosen sign or position.
 */
export function scriptedRandom(values: number[]): SeededRandom {
  const queue = [...values];
  return {
    next: () => {
      const v = queue.shift();
      if (v === undefined) throw new Error('scripted random ran out of values');
      return v;
    },
  } as unknown as SeededRandom;
}
