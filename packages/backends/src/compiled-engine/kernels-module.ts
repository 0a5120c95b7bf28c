import { EffnetError } from '@effnet/core';
import { KERNELS_MAX_MEMORY, KERNELS_THREADS_WASM_BASE64, KERNELS_WASM_BASE64 } from './kernels-binary.js';

/** The kernels' exports: pointers are byte offsets into the module's memory. */
export interface KernelExports {
  memory?: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  __stack_pointer?: WebAssembly.Global;
  /** Runs `count` commands at byte offset `cmds` on `threads` threads (see wasm-kernels/program.c); 1 when a thread failed. */
  run_program(cmds: number, count: number, threads: number, canWait: number): number;
  control_block(): number;
}

/** The activation codes the kernels take (wasm-kernels/common.h). */
export const ACTIVATION_CODES: Readonly<Record<string, number>> = { linear: 0, relu: 1, relu6: 2, silu: 3, hard_swish: 4, gelu: 5, sigmoid: 6 };

/** Stack of each worker thread. */
const WORKER_STACK_BYTES = 256 * 1024;
/** Words of the control block (wasm-kernels/program.c: Control), and the index of `failed`. */
const CONTROL_WORDS = 9;
const FAILED = 8;

/** A loaded instance of the kernels, and the worker threads that share its memory. */
export class Kernels {
  /** First byte free for arenas (after the module's stack, static data and worker stacks), 64-byte aligned. */
  readonly heapBase: number;
  /** The program that ran last: programs share one arena, so what it left there is still valid. */
  lastRun: object | undefined;
  /** What the arena's holder does before another program takes the arena (see {@link claim}). */
  private onEvict: (() => void) | undefined;

  constructor(
    readonly exports: KernelExports,
    readonly memory: WebAssembly.Memory,
    /** Threads a run uses (this one and `threads - 1` workers). */
    readonly threads: number,
    heapBase: number,
    private readonly workers: { terminate(): unknown }[] = [],
    /** Whether this thread may sleep on a barrier (not a browser's main thread). */
    private readonly canWait = true,
  ) {
    this.heapBase = Math.ceil(heapBase / 64) * 64;
  }

  /**
   * Makes `program` the arena's holder before its inputs are written. When another program held
   * it, that holder's `onEvict` runs first (resident training saves the state it keeps there).
   * `onEvict` is kept for the new holder. Returns whether the holder changed.
   */
  claim(program: object, onEvict?: () => void): boolean {
    const changed = this.lastRun !== program;
    if (changed) {
      const evict = this.onEvict;
      this.onEvict = undefined;
      evict?.();
      this.lastRun = program;
    }
    this.onEvict = onEvict;
    return changed;
  }

  /** Largest memory the module can have, in bytes. */
  get maxBytes(): number {
    return this.threads > 1 ? KERNELS_MAX_MEMORY : 2 ** 32 - 65536;
  }

  /**
   * Grows the memory so that bytes [0, end) exist. Beyond the module's limit: GRAPH_UNSUPPORTED
   * (so that `auto` runs the pass op by op); when the machine refuses the memory: OUT_OF_MEMORY.
   */
  ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const mib = (n: number) => `${Math.ceil(n / 2 ** 20)} MiB`;
    if (end > this.maxBytes) throw new EffnetError('GRAPH_UNSUPPORTED', `the pass needs ${mib(end)} of the compiled engine's memory, which holds at most ${mib(this.maxBytes)}; lower the batch size or use micro-batches`);
    try {
      this.memory.grow(Math.ceil((end - have) / 65536));
    } catch (e) {
      throw new EffnetError('OUT_OF_MEMORY', `the compiled engine could not grow its memory to ${mib(end)} (${(e as Error).message}); lower the batch size or use micro-batches`);
    }
  }

  /** A float32 view of `length` values at byte offset `ptr` (invalid after the memory grows). */
  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, length);
  }

  /** An int32 view of `length` values at byte offset `ptr`. */
  i32(ptr: number, length: number): Int32Array {
    return new Int32Array(this.memory.buffer, ptr, length);
  }

  /** Why the engine stopped, once a thread has failed (it does not run again). */
  private broken: string | undefined;

  /**
   * Runs `count` encoded commands at byte offset `ptr` on every thread. A thread that traps stops
   * every thread (no thread waits forever) and makes this and every later run throw
   * GRAPH_RUN_FAILED.
   */
  run(ptr: number, count: number): void {
    if (this.broken) throw new EffnetError('GRAPH_RUN_FAILED', `the compiled engine stopped after an earlier failure (${this.broken}); call unloadKernels() and load it again`);
    let status: number;
    try {
      status = this.exports.run_program(ptr, count, this.threads, this.canWait ? 1 : 0);
    } catch (e) {
      this.fail(`the main thread: ${(e as Error).message}`);
      throw new EffnetError('GRAPH_RUN_FAILED', `the compiled engine failed on the main thread: ${(e as Error).message}`);
    }
    if (status !== 0) {
      this.fail('a worker thread trapped');
      throw new EffnetError('GRAPH_RUN_FAILED', 'a worker thread of the compiled engine failed during the pass');
    }
  }

  /** Marks the engine failed and wakes every thread that waits. */
  private fail(reason: string): void {
    this.broken = reason;
    if (!this.workers.length) return;
    const ctl = this.i32(this.exports.control_block(), CONTROL_WORDS);
    Atomics.store(ctl, FAILED, 1);
    for (const i of [0, 1, 4]) Atomics.notify(ctl, i);
  }

  /** Stops the worker threads. */
  dispose(): void {
    const control = this.exports.control_block();
    if (this.workers.length) {
      const ctl = this.i32(control, 3);
      Atomics.store(ctl, 2, 1);
      Atomics.add(ctl, 0, 1);
      Atomics.notify(ctl, 0);
    }
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The worker's script: instantiate the module on the shared memory, take its own stack, park. */
const WORKER_SOURCE = `
function start(data, post) {
  const instance = new WebAssembly.Instance(data.module, { env: { memory: data.memory } });
  instance.exports.__stack_pointer.value = data.stackTop;
  post('ready');
  try {
    instance.exports.worker_loop(data.tid);
  } catch (e) {
    // A trap: tell every thread to stop waiting (control block word 8 = failed).
    const ctl = new Int32Array(data.memory.buffer, data.control, 9);
    Atomics.store(ctl, 8, 1);
    for (const i of [0, 1, 4]) Atomics.notify(ctl, i);
    post('failed: ' + (e && e.message));
  }
}
if (typeof require === 'function' && typeof self === 'undefined') {
  const { parentPort, workerData } = require('node:worker_threads');
  start(workerData, (m) => parentPort.postMessage(m));
} else {
  self.onmessage = (e) => start(e.data, (m) => self.postMessage(m));
}
`;

type Runtime = 'node' | 'browser-isolated' | 'browser';

function runtime(): Runtime {
  const g = globalThis as { process?: { versions?: { node?: string } }; crossOriginIsolated?: boolean };
  if (g.process?.versions?.node) return 'node';
  return g.crossOriginIsolated === true ? 'browser-isolated' : 'browser';
}

/** Cores of this machine. */
async function cores(where: Runtime): Promise<number> {
  if (where === 'node') {
    const os = (await import(/* @vite-ignore */ 'node:os' as string)) as { availableParallelism?: () => number; cpus: () => unknown[] };
    return os.availableParallelism?.() ?? os.cpus().length;
  }
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
}

interface StartedWorker {
  terminate(): unknown;
}

/** Starts one worker on the shared memory and resolves when it is parked. */
async function startWorker(where: Runtime, data: { module: WebAssembly.Module; memory: WebAssembly.Memory; tid: number; stackTop: number; control: number }): Promise<StartedWorker> {
  if (where === 'node') {
    const { Worker } = (await import(/* @vite-ignore */ 'node:worker_threads' as string)) as typeof import('node:worker_threads');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: data });
    worker.unref();
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
    });
    return worker;
  }
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
  const worker = new Worker(url);
  await new Promise<void>((resolve, reject) => {
    worker.onmessage = () => resolve();
    worker.onerror = (e) => reject(new Error(e.message));
    worker.postMessage(data);
  });
  URL.revokeObjectURL(url);
  return worker;
}

/** How many threads the compiled engine uses: every core unless set (see {@link loadKernels}). */
export interface KernelOptions {
  /** Threads of a run; default every core where memory can be shared, else 1. */
  threads?: number;
}

let loading: Promise<Kernels> | undefined;
let loaded: Kernels | undefined;

/**
 * Runs `start` (compiling the kernels and starting their threads) with V8's optimizing compiler
 * from the start, in Node. V8 otherwise runs new WebAssembly code through its baseline compiler
 * and optimizes hot functions later on background threads, which the engine's own threads (every
 * core, spinning at barriers) starve: the first passes then run at half speed or less, for
 * seconds. The flags are restored afterwards, so other modules compile as they would (dynamic
 * tiering too: turning the baseline compiler off turns it off, and without it a large module
 * such as onnxruntime-web's is slow for its first several runs).
 */
async function withOptimizingCompiler<T>(where: Runtime, start: () => Promise<T>): Promise<T> {
  if (where !== 'node') return start();
  const v8 = (await import(/* @vite-ignore */ 'node:v8' as string)) as { setFlagsFromString(flags: string): void };
  v8.setFlagsFromString('--no-liftoff --no-wasm-lazy-compilation');
  try {
    return await start();
  } finally {
    v8.setFlagsFromString('--liftoff --wasm-lazy-compilation --wasm-dynamic-tiering');
  }
}

async function instantiate(options: KernelOptions): Promise<Kernels> {
  const where = runtime();
  return withOptimizingCompiler(where, () => instantiateIn(where, options));
}

async function instantiateIn(where: Runtime, options: KernelOptions): Promise<Kernels> {
  const canShare = where !== 'browser' && typeof SharedArrayBuffer !== 'undefined';
  const threads = Math.max(1, Math.min(64, Math.floor(options.threads ?? (canShare ? await cores(where) : 1))));
  if (threads === 1 || !canShare) {
    const instance = await WebAssembly.instantiate(await WebAssembly.compile(decodeBase64(KERNELS_WASM_BASE64)), {});
    const exports = instance.exports as unknown as KernelExports;
    return new Kernels(exports, exports.memory!, 1, exports.__heap_base.value as number);
  }
  const module = await WebAssembly.compile(decodeBase64(KERNELS_THREADS_WASM_BASE64));
  const memory = new WebAssembly.Memory({ initial: 256, maximum: KERNELS_MAX_MEMORY / 65536, shared: true });
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  const exports = instance.exports as unknown as KernelExports;
  const base = Math.ceil((exports.__heap_base.value as number) / 64) * 64;
  const stacksEnd = base + (threads - 1) * WORKER_STACK_BYTES;
  if (stacksEnd > memory.buffer.byteLength) memory.grow(Math.ceil((stacksEnd - memory.buffer.byteLength) / 65536));
  new Int32Array(memory.buffer, exports.control_block(), CONTROL_WORDS).fill(0);
  const workers: StartedWorker[] = [];
  try {
    for (let tid = 1; tid < threads; tid++) workers.push(await startWorker(where, { module, memory, tid, stackTop: base + tid * WORKER_STACK_BYTES, control: exports.control_block() }));
  } catch (e) {
    for (const w of workers) void w.terminate();
    throw e;
  }
  return new Kernels(exports, memory, threads, stacksEnd, workers, where === 'node');
}

/**
 * Loads the kernels once (asynchronously, as browsers require): the threaded module with worker
 * threads on every core where memory can be shared (Node, cross-origin-isolated pages), else the
 * one-thread module.
 */
export function loadKernels(options: KernelOptions = {}): Promise<Kernels> {
  loading ??= instantiate(options).then((k) => (loaded = k));
  return loading;
}

/** The kernels if {@link loadKernels} has finished, else undefined. */
export function kernelsIfLoaded(): Kernels | undefined {
  return loaded;
}

/** Stops the kernels' worker threads and forgets them (the next {@link loadKernels} starts anew). */
export function unloadKernels(): void {
  loaded?.dispose();
  loaded = undefined;
  loading = undefined;
}
