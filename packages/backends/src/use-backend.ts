import { EffnetError, getRegistry } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendAdapter } from './backend-adapter.js';
import { runtimeEnvironment } from './environment.js';
import type { InstalledPatch } from './kernels/install-kernels.js';
import { registerBackends } from './register.js';

/** What {@link useBackend} started. */
export interface BackendInfo {
  /** Adapter name (`wasm`, `tfjs-node`, ...). */
  name: string;
  /** TF.js backend name. */
  tfName: string;
  /** Milliseconds spent loading and initialising. */
  initMs: number;
  /** Kernels effnet added or replaced. */
  patches: InstalledPatch[];
  /** For `auto`: why each better candidate was skipped. */
  skipped: { name: string; reason: string }[];
}

const loaded = new Map<string, Promise<InstalledPatch[]>>();

/** Loads an adapter once per process. */
function loadOnce(adapter: BackendAdapter): Promise<InstalledPatch[]> {
  let p = loaded.get(adapter.name);
  if (!p) {
    p = adapter.load();
    loaded.set(adapter.name, p);
    p.catch(() => loaded.delete(adapter.name));
  }
  return p;
}

/** Adapters that can run here, best first (the order `auto` tries). */
export function candidateBackends(): BackendAdapter[] {
  registerBackends();
  const env = runtimeEnvironment();
  return getRegistry('backend')
    .list()
    .filter((b) => b.environments.includes(env))
    .sort((a, b) => b.priority - a.priority);
}

async function start(adapter: BackendAdapter): Promise<InstalledPatch[]> {
  const env = runtimeEnvironment();
  if (!adapter.environments.includes(env)) {
    throw new EffnetError('BACKEND_UNAVAILABLE', `backend "${adapter.name}" does not run in ${env === 'node' ? 'Node' : 'a browser'}`);
  }
  const patches = await loadOnce(adapter);
  const warn = console.warn;
  let reason = '';
  console.warn = (...args: unknown[]) => {
    reason += args.map(String).join(' ');
  };
  let ok: boolean;
  try {
    ok = await tf.setBackend(adapter.tfName);
    await tf.ready();
  } catch (e) {
    ok = false;
    reason ||= (e as Error).message;
  } finally {
    console.warn = warn;
  }
  if (!ok) {
    throw new EffnetError('BACKEND_UNAVAILABLE', `backend "${adapter.name}" failed to initialise${reason ? `: ${reason.replace(/\s+/g, ' ').slice(0, 300)}` : ''}`);
  }
  return patches;
}

/**
 * Makes a backend the active TF.js backend: a name (`cpu`, `wasm`, `webgpu`, `webgl`,
 * `tfjs-node`, `tfjs-node-gpu`, or one you registered) or `auto`, which takes the first that
 * initialises here in priority order (tfjs-node-gpu, tfjs-node, webgpu, webgl, wasm, cpu).
 */
export async function useBackend(name = 'auto'): Promise<BackendInfo> {
  registerBackends();
  const t0 = performance.now();
  if (name !== 'auto') {
    const registry = getRegistry('backend');
    if (!registry.has(name)) {
      throw new EffnetError('UNKNOWN_BACKEND', `unknown backend "${name}"; known: ${registry.names().join(', ')}, auto`, { field: 'backend', expected: [...registry.names(), 'auto'].join(' | '), actual: name });
    }
    const adapter = registry.get(name);
    const patches = await start(adapter);
    return { name: adapter.name, tfName: adapter.tfName, initMs: performance.now() - t0, patches, skipped: [] };
  }
  const skipped: { name: string; reason: string }[] = [];
  for (const adapter of candidateBackends()) {
    const knownSlow = adapter.slowReason?.();
    if (knownSlow) {
      skipped.push({ name: adapter.name, reason: knownSlow });
      continue;
    }
    try {
      const patches = await start(adapter);
      const slow = adapter.slowReason?.();
      if (slow) {
        skipped.push({ name: adapter.name, reason: slow });
        continue;
      }
      return { name: adapter.name, tfName: adapter.tfName, initMs: performance.now() - t0, patches, skipped };
    } catch (e) {
      skipped.push({ name: adapter.name, reason: (e as Error).message });
    }
  }
  throw new EffnetError('BACKEND_UNAVAILABLE', `no backend could start: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}
