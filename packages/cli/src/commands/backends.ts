import { candidateBackends, useBackend, explainBackendError } from '@effnet/backends';
import { getRegistry, graphCompilerFor } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { formatTable } from '../format-table.js';

/** One row of `effnet backends`. */
export interface BackendRow {
  name: string;
  available: boolean;
  /** Why not, or notes (e.g. a software GPU). */
  note: string;
  /** Median ms of one 3x3 convolution [1, 56, 56, 48] -> 48 channels, after a warm-up. */
  convMs?: number;
  description: string;
}

async function timeConv(): Promise<number> {
  const x = tf.randomNormal([1, 56, 56, 48]) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, 48, 48]) as tf.Tensor4D;
  const times: number[] = [];
  for (let i = 0; i < 6; i++) {
    const t0 = performance.now();
    const y = tf.conv2d(x, w, 1, 'same');
    await y.data();
    y.dispose();
    if (i > 0) times.push(performance.now() - t0);
  }
  tf.dispose([x, w]);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** Tries every registered backend that can run here: available or why not, and a one-line timing. */
export async function listBackends(): Promise<BackendRow[]> {
  const here = new Set(candidateBackends().map((b) => b.name));
  const rows: BackendRow[] = [];
  for (const adapter of getRegistry('backend').list()) {
    if (!here.has(adapter.name)) {
      rows.push({ name: adapter.name, available: false, note: 'not in this environment', description: adapter.description ?? '' });
      continue;
    }
    try {
      await useBackend(adapter.name);
      const convMs = await timeConv();
      const notes = [adapter.slowReason?.(), graphCompilerFor(tf.getBackend()) ? 'passes run as whole TensorFlow graphs' : undefined].filter(Boolean);
      rows.push({ name: adapter.name, available: true, note: notes.join('; '), convMs, description: adapter.description ?? '' });
    } catch (e) {
      rows.push({ name: adapter.name, available: false, note: String((explainBackendError(e) as Error).message), description: adapter.description ?? '' });
    }
  }
  return rows;
}

/** The text table of `effnet backends`. */
export function formatBackends(rows: BackendRow[], auto: string): string {
  const table = formatTable(rows, [
    { header: 'backend', value: (r) => r.name, right: false },
    { header: 'available', value: (r) => (r.available ? 'yes' : 'no'), right: false },
    { header: 'conv 3x3 56x56x48 (ms)', value: (r) => (r.convMs === undefined ? '-' : r.convMs.toFixed(2)), right: true },
    { header: 'note', value: (r) => r.note.slice(0, 110), right: false },
  ]);
  return `${table}\n\nauto picks: ${auto}`;
}
