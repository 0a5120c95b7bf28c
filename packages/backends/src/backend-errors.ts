import { EffnetError, isEffnetError } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Turns a backend's out-of-memory failure into an EffnetError that says what to do; other errors
 * pass through. wasm reports exhaustion of its 4 GB heap as "memory access out of bounds" or an
 * abort from its allocator.
 */
export function explainBackendError(e: unknown, context = 'this step'): unknown {
  if (isEffnetError(e)) return e;
  const message = String((e as Error)?.message ?? e);
  if (/memory access out of bounds|out of memory|Cannot enlarge memory|Aborted\(OOM\)|Array buffer allocation failed|RangeError: .*(memory|Invalid typed array length)/i.test(message)) {
    let backend = 'unknown';
    try {
      backend = tf.getBackend();
    } catch {
      // no backend yet
    }
    const hint =
      backend === 'wasm'
        ? 'the wasm heap (at most 4 GB) is full: lower the batch size, or keep it and split it into micro-batches with gradient accumulation'
        : 'lower the batch size or the image size, or split the batch into micro-batches with gradient accumulation';
    return new EffnetError('OUT_OF_MEMORY', `backend "${backend}" ran out of memory during ${context}: ${hint} (${message.slice(0, 80)})`);
  }
  return e;
}
