import type { CropBox } from './random-crop.js';

/** What a batch-loader thread starts with: a dataset's pixels, shared with the thread that made it. */
export interface LoaderInit {
  /** `[N, height, width, channels]` bytes (0..255). */
  pixels: SharedArrayBuffer;
  /** Height, width and channels of one image. */
  shape: [number, number, number];
}

/** A batch to make: examples `indices` at `size` pixels, each cut to its crop box first. */
export interface LoaderRequest {
  id: number;
  indices: Int32Array;
  size: number;
  crops?: (CropBox | undefined)[];
}

/** A made batch (`[n, size, size, 3]` float32 values) or why it could not be made. */
export type LoaderAnswer = { id: number; data: Float32Array } | { id: number; error: string };
