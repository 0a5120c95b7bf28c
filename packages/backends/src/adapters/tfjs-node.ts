import * as tf from '@tensorflow/tfjs-core';
import { EffnetError, graphCompilerFor, registerGraphCompiler } from '@effnet/core';
import { runtimeEnvironment } from '../environment.js';
import { installKernels } from '../kernels/install-kernels.js';
import { tensorflowPatches } from '../kernels/patches.js';
import { importOptional } from '../optional-import.js';
import type { BackendAdapter } from '../backend-adapter.js';
import { tensorflowGraphCompiler } from '../tensorflow-graph/tensorflow-compiler.js';

/** Thread settings of native TensorFlow (tfjs-node), fixed when it loads. */
export interface TensorflowThreads {
  /** Threads one op is split over (TensorFlow's default: every core). */
  intraOp?: number;
  /** Ops run at the same time (TensorFlow's default: every core). */
  interOp?: number;
}

let tensorflowLoaded = false;

function processEnv(): Record<string, string | undefined> | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
}

/**
 * Sets native TensorFlow's thread pools (through `TF_NUM_INTRAOP_THREADS` and
 * `TF_NUM_INTEROP_THREADS`, which TensorFlow reads once, when it loads): call it before tfjs-node
 * starts; afterwards it throws.
 */
export function configureTensorflow(o: TensorflowThreads): void {
  if (tensorflowLoaded) throw new EffnetError('BACKEND_STARTED', 'TensorFlow thread settings must be made before tfjs-node starts', { field: 'threads', expected: 'a call before useBackend', actual: 'tfjs-node already started' });
  const env = processEnv();
  if (!env) return;
  for (const [key, value] of [['TF_NUM_INTRAOP_THREADS', o.intraOp], ['TF_NUM_INTEROP_THREADS', o.interOp]] as const) {
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 1) throw new EffnetError('BAD_ARGUMENT', 'is not a thread count', { field: key, expected: 'an integer >= 1', actual: value });
    env[key] = String(value);
  }
}

/** The largest image side for which {@link preferSmallImageThreads} keeps each op on one thread. */
export const SMALL_IMAGE_SIDE = 64;

/**
 * For training and inference on small images (every side at most {@link SMALL_IMAGE_SIDE}):
 * unless the user set TensorFlow's thread counts, each op runs on one thread and independent ops
 * on different cores. On maps of a few pixels, splitting one op over threads costs more than it
 * saves: the main job's model trains ~1.5x faster at 16 px and a little faster at 28 px this way,
 * while EfficientNetV2-B0 at 128 px is ~18 % slower (so larger images keep TensorFlow's default).
 * Returns whether it changed anything; does nothing once tfjs-node has started.
 */
export function preferSmallImageThreads(largestSide: number): boolean {
  const env = processEnv();
  if (tensorflowLoaded || !env || largestSide > SMALL_IMAGE_SIDE || env.TF_NUM_INTRAOP_THREADS !== undefined) return false;
  configureTensorflow({ intraOp: 1 });
  return true;
}

function nodeAdapter(name: 'tfjs-node' | 'tfjs-node-gpu', priority: number, description: string): BackendAdapter {
  const pkg = `@tensorflow/${name}`;
  return {
    name,
    description,
    tfName: 'tensorflow',
    priority,
    environments: ['node'],
    install: `npm install ${pkg}@4.22.0 (or build it against a pip TensorFlow: effnet backend setup ${name} --from-python)`,
    async load() {
      if (runtimeEnvironment() !== 'node') throw new EffnetError('BACKEND_UNAVAILABLE', `backend "${name}" runs only in Node`);
      // TensorFlow logs every graph load at INFO level; keep warnings and errors unless asked.
      const env = processEnv();
      if (env && env.TF_CPP_MIN_LOG_LEVEL === undefined) env.TF_CPP_MIN_LOG_LEVEL = '1';
      await importOptional(pkg, name, this.install);
      tensorflowLoaded = true;
      // The fallbacks run TF.js's cpu kernels, so the cpu backend must be registered too.
      if (!tf.findBackendFactory('cpu')) await importOptional('@tensorflow/tfjs-backend-cpu', name, 'npm install @tensorflow/tfjs-backend-cpu@4.22.0');
      // Inference and training passes then run as whole TensorFlow graphs (engine 'auto').
      if (!graphCompilerFor('tensorflow')) registerGraphCompiler(tensorflowGraphCompiler);
      return installKernels('tensorflow', tensorflowPatches);
    },
  };
}

/** Native TensorFlow (libtensorflow) for Node, CPU. */
export const tfjsNodeAdapter = nodeAdapter('tfjs-node', 40, 'native TensorFlow C library (@tensorflow/tfjs-node)');
/** Native TensorFlow with CUDA for Node. */
export const tfjsNodeGpuAdapter = nodeAdapter('tfjs-node-gpu', 50, 'native TensorFlow C library with CUDA (@tensorflow/tfjs-node-gpu)');
