import * as tf from '@tensorflow/tfjs-core';
import { importOptional } from '../optional-import.js';
import { installKernels } from '../kernels/install-kernels.js';
import { cpuPatches } from '../kernels/patches.js';
import type { BackendAdapter } from '../backend-adapter.js';

/** TF.js's plain JavaScript backend: runs everywhere, slowest; effnet speeds up its conv gradients. */
export const cpuAdapter: BackendAdapter = {
  name: 'cpu',
  description: 'plain JavaScript (@tensorflow/tfjs-backend-cpu), everywhere',
  tfName: 'cpu',
  priority: 1,
  environments: ['node', 'browser'],
  install: 'npm install @tensorflow/tfjs-backend-cpu@4.22.0',
  async load() {
    if (!tf.findBackendFactory('cpu')) await importOptional('@tensorflow/tfjs-backend-cpu', 'cpu', this.install);
    return installKernels('cpu', cpuPatches);
  },
};
