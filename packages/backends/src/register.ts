import { getRegistry } from '@effnet/core';
import type { BackendAdapter } from './backend-adapter.js';
import { cpuAdapter } from './adapters/cpu.js';
import { tfjsNodeAdapter, tfjsNodeGpuAdapter } from './adapters/tfjs-node.js';
import { wasmAdapter } from './adapters/wasm.js';
import { webglAdapter } from './adapters/webgl.js';
import { webgpuAdapter } from './adapters/webgpu.js';

/** The built-in adapters. */
export const builtinBackends: readonly BackendAdapter[] = [tfjsNodeGpuAdapter, tfjsNodeAdapter, webgpuAdapter, webglAdapter, wasmAdapter, cpuAdapter];

/** Registers the built-in backend adapters in the core registry (idempotent). */
export function registerBackends(): void {
  const registry = getRegistry('backend');
  for (const b of builtinBackends) registry.ensure(b);
}
