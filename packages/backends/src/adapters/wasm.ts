import * as tf from '@tensorflow/tfjs-core';
import { graphCompilerFor, registerGraphCompiler } from '@effnet/core';
import { loadKernels } from '../compiled-engine/kernels-module.js';
import { wasmGraphCompiler } from '../compiled-engine/wasm-compiler.js';
import { installKernels } from '../kernels/install-kernels.js';
import { wasmPatches } from '../kernels/patches.js';
import { importOptional } from '../optional-import.js';
import type { BackendAdapter } from '../backend-adapter.js';

/** Where the wasm backend fetches its `.wasm` files in a browser; set before `useBackend('wasm')`. */
export interface WasmOptions {
  /** URL prefix of the `.wasm` files (default: TF.js's lookup, next to the script or from the package in Node). */
  wasmPaths?: string;
  /**
   * Threads of the compiled engine (default: every core where memory can be shared, i.e. Node
   * and cross-origin-isolated pages; 1 elsewhere).
   */
  threads?: number;
}

const options: WasmOptions = {};

/** Sets wasm options (call before the backend is first used). */
export function configureWasm(o: WasmOptions): void {
  Object.assign(options, o);
}

/**
 * WebAssembly with SIMD (XNNPACK). In Node TF.js runs it single-threaded. effnet adds the conv
 * gradient kernels TF.js lacks, and registers its compiled engine, which runs whole training and
 * inference passes in kernels of its own (`engine: 'eager'` keeps TF.js's op-by-op path).
 */
export const wasmAdapter: BackendAdapter = {
  name: 'wasm',
  description: 'WebAssembly + SIMD (@tensorflow/tfjs-backend-wasm), with effnet\'s compiled engine on every core',
  tfName: 'wasm',
  priority: 20,
  environments: ['node', 'browser'],
  install: 'npm install @tensorflow/tfjs-backend-wasm@4.22.0',
  async load() {
    // A page that imported the package itself (bundlers need static imports) is left as it is.
    if (!tf.findBackendFactory('wasm') || options.wasmPaths) {
      const wasm = await importOptional<{ setWasmPaths: (prefix: string) => void }>('@tensorflow/tfjs-backend-wasm', 'wasm', this.install);
      if (options.wasmPaths) wasm.setWasmPaths(options.wasmPaths);
    }
    // Fallback kernels run TF.js's cpu kernels.
    if (!tf.findBackendFactory('cpu')) await importOptional('@tensorflow/tfjs-backend-cpu', 'wasm', 'npm install @tensorflow/tfjs-backend-cpu@4.22.0');
    // The compiled engine: training and inference passes as kernels of effnet's own.
    await loadKernels(options.threads !== undefined ? { threads: options.threads } : {});
    if (!graphCompilerFor('wasm')) registerGraphCompiler(wasmGraphCompiler);
    return installKernels('wasm', wasmPatches);
  },
};
