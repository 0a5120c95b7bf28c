import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { EffnetError } from '@effnet/core';
import type { GradientWorkerInit, ShareRequest, WorkerMessage } from './worker-protocol.js';

type Result = Extract<WorkerMessage, { type: 'result' }>;

/** The built worker entry of this package (`dist/gradient-worker.js`), found from ESM, CJS or source. */
export function gradientWorkerEntry(): string {
  const here = typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url);
  const manifest = createRequire(here).resolve('@effnet/progressive/package.json');
  return path.join(path.dirname(manifest), 'dist', 'gradient-worker.js');
}

/**
 * Worker threads that each hold a replica of the model and compute the gradient of a share of
 * every batch (data parallelism). In Node, TF.js's wasm backend runs on one thread, so on a
 * machine with several cores this is how a training step uses them.
 */
export class GradientWorkers {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (r: Result) => void; reject: (e: Error) => void; worker: number }>();
  private failure: Error | undefined;

  private constructor(private readonly workers: Worker[], readonly backend: string) {
    workers.forEach((w, index) => {
      w.on('message', (m: WorkerMessage) => this.receive(m, index));
      w.on('error', (e) => this.fail(new EffnetError('WORKER_FAILED', `gradient worker ${index + 1} failed: ${e.message}`)));
      w.on('exit', (code) => {
        if (code !== 0) this.fail(new EffnetError('WORKER_FAILED', `gradient worker ${index + 1} exited with code ${code}`));
      });
    });
  }

  /** Starts `count` workers and waits until each has built its replica (or throws what stopped one). */
  static async start(count: number, init: GradientWorkerInit): Promise<GradientWorkers> {
    const entry = gradientWorkerEntry();
    const workers = Array.from({ length: count }, () => new Worker(entry, { workerData: init }));
    try {
      const ready = await Promise.all(workers.map((w, i) => new Promise<Extract<WorkerMessage, { type: 'ready' }>>((resolve, reject) => {
        const onMessage = (m: WorkerMessage) => {
          w.off('error', onError);
          if (m.type === 'ready') resolve(m);
          else reject(new EffnetError('WORKER_FAILED', `gradient worker ${i + 1} ${m.type === 'error' ? m.message : 'sent an unexpected message'}`));
        };
        const onError = (e: Error) => reject(new EffnetError('WORKER_FAILED', `gradient worker ${i + 1} could not start: ${e.message}`));
        w.once('message', onMessage);
        w.once('error', onError);
      })));
      return new GradientWorkers(workers, ready[0]!.backend);
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
  }

  /** Number of worker threads. */
  get size(): number {
    return this.workers.length;
  }

  /** Sends request k to worker k and resolves with the answers in the same order. */
  run(requests: Omit<ShareRequest, 'id'>[]): Promise<Result[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (requests.length > this.workers.length) throw new Error(`${requests.length} shares for ${this.workers.length} workers`);
    return Promise.all(requests.map((r, k) => new Promise<Result>((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject, worker: k });
      this.workers[k]!.postMessage({ ...r, id });
    })));
  }

  private receive(m: WorkerMessage, worker: number): void {
    if (m.type === 'ready') return;
    const p = m.id === undefined ? undefined : this.pending.get(m.id);
    if (m.type === 'error') {
      const error = new EffnetError('WORKER_FAILED', `gradient worker ${worker + 1}: ${m.message}`);
      if (p) {
        this.pending.delete(m.id!);
        p.reject(error);
      } else this.fail(error);
      return;
    }
    if (p) {
      this.pending.delete(m.id);
      p.resolve(m);
    }
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(e);
    }
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    this.failure ??= new EffnetError('WORKER_FAILED', 'the gradient workers were closed');
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
