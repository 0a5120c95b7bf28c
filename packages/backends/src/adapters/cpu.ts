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
    await import('@tensorflow/tfjs-backend-cpu');
    return installKernels('cpu', cpuPatches);
  },
};
