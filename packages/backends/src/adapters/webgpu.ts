import * as tf from '@tensorflow/tfjs-core';
import { EffnetError } from '@effnet/core';
import { runtimeEnvironment } from '../environment.js';
import { installKernels } from '../kernels/install-kernels.js';
import { webgpuPatches } from '../kernels/patches.js';
import { importOptional } from '../optional-import.js';
import type { BackendAdapter } from '../backend-adapter.js';

type GPULike = { requestAdapter(options?: Record<string, unknown>): Promise<GPUAdapterLike | null> };
interface GPUAdapterLike {
  features: Set<string>;
  limits: Record<string, number>;
  info?: Record<string, unknown>;
  requestDevice(descriptor: Record<string, unknown>): Promise<unknown>;
}

/** Options of the WebGPU adapter. */
export interface WebGPUOptions {
  /**
   * Dawn options for Node (the `webgpu` package). Default `['backend=opengles']` on Linux,
   * which runs on Mesa without Vulkan; on a machine with a GPU driver pass `[]` or
   * `['backend=vulkan']`.
   */
  dawnOptions?: string[];
}

const options: WebGPUOptions = {};
let adapterDevice = '';

/** GPU "devices" that are CPU rasterisers. */
const SOFTWARE_DEVICES = /llvmpipe|lavapipe|softpipe|swiftshader|software|microsoft basic render/i;

/** Sets WebGPU options (call before the backend is first used). */
export function configureWebGPU(o: WebGPUOptions): void {
  Object.assign(options, o);
}

/** Linux GPUs appear as DRM render nodes or NVIDIA device files. */
function hasGpuDeviceNode(): boolean {
  const fs = (globalThis as { process?: { getBuiltinModule?: (m: string) => typeof import('node:fs') } }).process?.getBuiltinModule?.('node:fs');
  if (!fs) return true; // cannot tell: let the adapter decide
  return fs.existsSync('/dev/dri') || fs.existsSync('/dev/nvidia0');
}

async function nodeGpu(): Promise<GPULike> {
  const dawn = await importOptional<{ create(o: string[]): GPULike; globals: Record<string, unknown> }>('webgpu', 'webgpu', 'npm install webgpu @tensorflow/tfjs-backend-webgpu@4.22.0');
  Object.assign(globalThis, dawn.globals);
  if (process.platform === 'linux') process.env.EGL_PLATFORM ??= 'surfaceless';
  const dawnOptions = options.dawnOptions ?? (process.platform === 'linux' ? ['backend=opengles'] : []);
  return dawn.create(dawnOptions);
}

/** Registers a `webgpu` TF.js backend factory that asks for compatibility-mode adapters too. */
function registerFactory(gpu: GPULike, WebGPUBackend: new (device: unknown, info?: unknown) => tf.KernelBackend): void {
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend(
    'webgpu',
    async () => {
      const adapter = (await gpu.requestAdapter({ powerPreference: 'high-performance' })) ?? (await gpu.requestAdapter({ featureLevel: 'compatibility' }));
      if (!adapter) throw new EffnetError('BACKEND_UNAVAILABLE', 'WebGPU: no GPU adapter (no driver, or Mesa/EGL missing: apt-get install libegl-mesa0 libgles2 libgl1-mesa-dri)');
      const limits = adapter.limits;
      const requiredLimits: Record<string, number> = {};
      for (const key of ['maxComputeWorkgroupStorageSize', 'maxComputeWorkgroupsPerDimension', 'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupSizeX', 'maxComputeInvocationsPerWorkgroup', 'maxStorageBuffersPerShaderStage']) {
        if (typeof limits[key] === 'number') requiredLimits[key] = limits[key]!;
      }
      const requiredFeatures = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
      adapterDevice = `${String(adapter.info?.device ?? '')} ${String(adapter.info?.description ?? '')}`.trim();
      const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
      return new WebGPUBackend(device, adapter.info);
    },
    10,
  );
}

/**
 * WebGPU: in the browser through `navigator.gpu`, in Node through the `webgpu` package (Dawn).
 * On Linux without a GPU driver Dawn runs on Mesa's OpenGL ES (software rendering), a slow
 * but complete path; with a GPU the same adapter uses it.
 */
export const webgpuAdapter: BackendAdapter = {
  name: 'webgpu',
  description: 'WebGPU (@tensorflow/tfjs-backend-webgpu); Node through the webgpu package (Dawn)',
  tfName: 'webgpu',
  priority: 30,
  environments: ['node', 'browser'],
  install: 'npm install @tensorflow/tfjs-backend-webgpu@4.22.0 webgpu (Node)',
  async load() {
    let gpu: GPULike | undefined;
    const g = globalThis as unknown as { navigator?: { gpu?: GPULike } };
    if (runtimeEnvironment() === 'node') {
      gpu = g.navigator?.gpu ?? (await nodeGpu());
      if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
      else if (!g.navigator.gpu) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
    } else {
      gpu = g.navigator?.gpu;
      if (!gpu) throw new EffnetError('BACKEND_UNAVAILABLE', 'WebGPU is not available in this browser (navigator.gpu is missing)');
      // In a browser the package registers its own factory when imported (statically, by the page).
      if (tf.findBackendFactory('webgpu')) return installKernels('webgpu', webgpuPatches);
    }
    const mod = await importOptional<{ WebGPUBackend: new (device: unknown, info?: unknown) => tf.KernelBackend }>('@tensorflow/tfjs-backend-webgpu', 'webgpu', this.install);
    registerFactory(gpu, mod.WebGPUBackend);
    if (!tf.findBackendFactory('cpu')) await importOptional('@tensorflow/tfjs-backend-cpu', 'webgpu', 'npm install @tensorflow/tfjs-backend-cpu@4.22.0');
    return installKernels('webgpu', webgpuPatches);
  },
  slowReason() {
    if (adapterDevice) return SOFTWARE_DEVICES.test(adapterDevice) ? `the GPU adapter is a software rasteriser (${adapterDevice})` : undefined;
    if (runtimeEnvironment() === 'node' && process.platform === 'linux' && !hasGpuDeviceNode()) {
      return 'no GPU device here (/dev/dri, /dev/nvidia*): WebGPU would run on a software rasteriser';
    }
    return undefined;
  },
};
