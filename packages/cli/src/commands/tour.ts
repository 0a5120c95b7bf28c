import { createModel } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../backend.js';
import { formatModelRows, listModelRows, type VariantRow } from './models.js';

/** One row of the tour: a variant, its size, and one timed forward pass. */
export interface TourRow extends VariantRow {
  resolution: number;
  /** MACs of one image at `resolution`. */
  forwardMs: number;
  buildMs: number;
  /** Live tensors before and after the forward pass (equal when nothing leaks). */
  tensorsBefore: number;
  tensorsAfter: number;
}

/**
 * The model tour: lists every registered variant and times one forward
 * pass of each (batch 1, after one warm-up pass) at a small resolution on the chosen backend.
 */
export async function runTour(options: { resolution?: number; backend?: string; pattern?: string; log?: (line: string) => void } = {}): Promise<{ backend: string; rows: TourRow[] }> {
  const log = options.log ?? (() => {});
  const backend = await useBackend(options.backend);
  const resolution = options.resolution ?? 64;
  const rows: TourRow[] = [];
  const variants = listModelRows(options.pattern);
  log(`backend: ${backend}; ${variants.length} variants; one forward pass each at ${resolution}x${resolution}, batch 1`);
  for (const [i, v] of variants.entries()) {
    const t0 = performance.now();
    const model = createModel(v.name, { numClasses: 1000, seed: 1 });
    const buildMs = performance.now() - t0;
    const x = tf.randomNormal([1, resolution, resolution, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    model.predict(x).dispose(); // warm-up
    const tensorsBefore = tf.memory().numTensors;
    const t1 = performance.now();
    const y = model.predict(x);
    await y.data();
    const forwardMs = performance.now() - t1;
    y.dispose();
    const tensorsAfter = tf.memory().numTensors;
    x.dispose();
    model.dispose();
    rows.push({ ...v, resolution, forwardMs, buildMs, tensorsBefore, tensorsAfter });
    log(`[${i + 1}/${variants.length}] ${v.name.padEnd(18)} forward ${forwardMs.toFixed(0).padStart(6)} ms (built in ${(buildMs / 1000).toFixed(1)} s)`);
  }
  return { backend, rows };
}

/** The tour's table: the model table plus the forward-pass time. */
export function formatTour(rows: TourRow[]): string {
  return formatModelRows(rows, [{ header: `forward ms @${rows[0]?.resolution ?? ''}`, value: (r) => r.forwardMs.toFixed(1) }]);
}
