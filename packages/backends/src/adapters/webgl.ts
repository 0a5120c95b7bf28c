import * as tf from '@tensorflow/tfjs-core';
import { EffnetError } from '@effnet/core';
import { runtimeEnvironment } from '../environment.js';
import { importOptional } from '../optional-import.js';
import type { BackendAdapter } from '../backend-adapter.js';

/** WebGL 2 in the browser. */
export const webglAdapter: BackendAdapter = {
  name: 'webgl',
  description: 'WebGL (@tensorflow/tfjs-backend-webgl), browser only',
  tfName: 'webgl',
  priority: 25,
  environments: ['browser'],
  install: 'npm install @tensorflow/tfjs-backend-webgl@4.22.0',
  async load() {
    if (runtimeEnvironment() === 'node') throw new EffnetError('BACKEND_UNAVAILABLE', 'backend "webgl" runs only in a browser; in Node use webgpu, wasm or tfjs-node');
    if (!tf.findBackendFactory('webgl')) await importOptional('@tensorflow/tfjs-backend-webgl', 'webgl', this.install);
    return [];
  },
};
