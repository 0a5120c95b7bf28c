import * as tf from '@tensorflow/tfjs-core';
import { installKernels } from '../kernels/install-kernels.js';
import { wasmPatches } from '../kernels/patches.js';
import { importOptional } from '../optional-import.js';
import type { BackendAdapter } from '../backend-adapter.js';

/** Where the wasm backend fetches its `.wasm` files in a browser; set before `useBackend('wasm')`. */
export interface WasmOptions {
  /** URL prefix of the `.wasm` files (default: TF.js's lookup, next to the script or from the package in Node). */
  wasmPaths?: string;
}

const options: WasmOptions = {};

/** Sets wasm options (call before the backend is first used). */
export function configureWasm(o: WasmOptions): void {
  Object.assign(options, o);
}

/**
 * WebAssembly with SIMD (XNNPACK). In Node TF.js runs it single-threaded. effnet adds the conv
 * gradient kernels TF.js lacks, so that models train on it.
 */
export const wasmAdapter: BackendAdapter = {
  name: 'wasm',
  description: 'WebAssembly + SIMD (@tensorflow/tfjs-backend-wasm); single-threaded in Node',
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
    return installKernels('wasm', wasmPatches);
  },
};
