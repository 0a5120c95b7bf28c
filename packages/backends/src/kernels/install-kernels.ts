import * as tf from '@tensorflow/tfjs-core';

/** Why a kernel is replaced or added. */
export type PatchReason = 'missing' | 'faster' | 'bugfix';

/** A kernel that effnet registers for one backend. */
export interface KernelPatch {
  kernelName: string;
  reason: PatchReason;
  kernelFunc: tf.KernelConfig['kernelFunc'];
  /** What it fixes or speeds up, for `effnet backends --verbose` and the docs. */
  note: string;
}

/** What {@link installKernels} did for one kernel. */
export interface InstalledPatch {
  kernelName: string;
  backendName: string;
  reason: PatchReason;
  /** False when TF.js already had a kernel that was 'missing' in older versions. */
  installed: boolean;
}

const ORIGINALS = Symbol.for('@effnet/backends.originalKernels');

function originals(): Map<string, tf.KernelConfig> {
  const g = globalThis as unknown as Record<symbol, Map<string, tf.KernelConfig> | undefined>;
  return (g[ORIGINALS] ??= new Map());
}

/**
 * Registers kernels for a backend: adds those it lacks, and replaces slow or wrong ones (the
 * original stays available through {@link originalKernel}). Idempotent.
 */
export function installKernels(backendName: string, patches: readonly KernelPatch[]): InstalledPatch[] {
  return patches.map((p) => {
    const key = `${backendName}/${p.kernelName}`;
    const existing = tf.getKernel(p.kernelName, backendName);
    if (existing?.kernelFunc === p.kernelFunc) return { kernelName: p.kernelName, backendName, reason: p.reason, installed: true };
    if (existing && p.reason === 'missing') return { kernelName: p.kernelName, backendName, reason: p.reason, installed: false };
    if (existing) {
      if (!originals().has(key)) originals().set(key, existing);
      tf.unregisterKernel(p.kernelName, backendName);
    }
    tf.registerKernel({ kernelName: p.kernelName, backendName, kernelFunc: p.kernelFunc });
    return { kernelName: p.kernelName, backendName, reason: p.reason, installed: true };
  });
}

/** The kernel TF.js registered before effnet replaced it, if it did. */
export function originalKernel(kernelName: string, backendName: string): tf.KernelConfig | undefined {
  return originals().get(`${backendName}/${kernelName}`);
}
