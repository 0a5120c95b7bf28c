import type * as tf from '@tensorflow/tfjs-core';

/**
 * An `Identity` kernel that returns its input's memory with one more reference instead of a copy
 * (as TF.js's cpu backend does). TF.js clones every tensor it saves for the backward pass, so on a
 * backend whose `Identity` copies, training holds each saved activation twice.
 */
export const sharedIdentity: tf.KernelConfig['kernelFunc'] = ({ inputs, backend }) => {
  const x = inputs.x as tf.TensorInfo;
  (backend as tf.KernelBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
};
