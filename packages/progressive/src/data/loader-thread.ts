import { EffnetError } from '@effnet/core';
import type { Worker } from 'node:worker_threads';
import { packageWorkerEntry } from '../worker-entry.js';
import type { LoaderAnswer, LoaderRequest } from './loader-protocol.js';
import type { CropBox } from './random-crop.js';

/**
 * A worker thread that makes batches from images held in memory (the same values as on the
 * calling thread, see `resizePixels`). A training step that blocks its thread (one native call on
 * tfjs-node) then overlaps with the making of the next batch.
 */
export class LoaderThread {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (data: Float32Array) => void; reject: (e: Error) => void }>();
  private failure: Error | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: LoaderAnswer) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) worker.unref();
      if ('error' in m) p.reject(new EffnetError('WORKER_FAILED', `batch loader thread: ${m.error}`));
      else p.resolve(m.data);
    });
    worker.on('error', (e) => this.fail(new EffnetError('WORKER_FAILED', `batch loader thread failed: ${e.message}`)));
    worker.on('exit', (code) => this.fail(new EffnetError('WORKER_FAILED', `batch loader thread exited (code ${code})`)));
    // The thread keeps the process alive only while a batch is being made for it.
    worker.unref();
  }

  /**
   * Starts a thread over `pixels` (`[N, ...shape]` bytes, copied once into shared memory), or
   * resolves undefined where threads are not available (no `node:worker_threads`, no built entry).
   */
  static async start(pixels: Uint8Array, shape: [number, number, number]): Promise<LoaderThread | undefined> {
    const entry = await packageWorkerEntry('batch-loader.js');
    const threads = await import('node:worker_threads').catch(() => undefined);
    if (!entry || !threads || typeof SharedArrayBuffer === 'undefined') return undefined;
    const shared = new SharedArrayBuffer(pixels.byteLength);
    new Uint8Array(shared).set(pixels);
    // A worker refuses some of the process's flags (\`node --input-type=module -e ...\`): leave them out.
    const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
    return new LoaderThread(new threads.Worker(entry, { workerData: { pixels: shared, shape }, execArgv }));
  }

  /** The batch of `indices` at `size` pixels as `[n, size, size, 3]` float32 values. */
  load(indices: readonly number[], size: number, crops?: readonly (CropBox | undefined)[]): Promise<Float32Array> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      const request: LoaderRequest = { id, indices: Int32Array.from(indices), size, ...(crops ? { crops: [...crops] } : {}) };
      this.worker.postMessage(request, [request.indices.buffer as ArrayBuffer]);
    });
  }

  /** Stops the thread; batches still being made are refused. */
  async close(): Promise<void> {
    this.fail(new EffnetError('WORKER_FAILED', 'the batch loader thread was closed'));
    await this.worker.terminate();
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }
}
