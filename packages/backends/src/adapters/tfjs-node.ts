import * as tf from '@tensorflow/tfjs-core';
import { EffnetError, graphCompilerFor, registerGraphCompiler } from '@effnet/core';
import { runtimeEnvironment } from '../environment.js';
import { installKernels } from '../kernels/install-kernels.js';
import { tensorflowPatches } from '../kernels/patches.js';
import { importOptional } from '../optional-import.js';
import type { BackendAdapter } from '../backend-adapter.js';
import { tensorflowGraphCompiler } from '../tensorflow-graph/tensorflow-compiler.js';

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
      const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
      if (env && env.TF_CPP_MIN_LOG_LEVEL === undefined) env.TF_CPP_MIN_LOG_LEVEL = '1';
      await importOptional(pkg, name, this.install);
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
