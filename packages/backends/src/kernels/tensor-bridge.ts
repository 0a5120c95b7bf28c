import * as tf from '@tensorflow/tfjs-core';

/**
 * Runs `fn` on the kernel inputs as ordinary tensors and returns its result as the kernel's
 * output. Inside a kernel, ops are not taped, so the composition runs exactly once; reference
 * counts are balanced so that neither the inputs nor the output are freed by the bridge.
 */
export function composeKernel(kernelBackend: unknown, inputs: tf.TensorInfo[], fn: (...tensors: tf.Tensor[]) => tf.Tensor): tf.TensorInfo {
  const backend = kernelBackend as tf.KernelBackend;
  const engine = tf.engine();
  const tensors = inputs.map((info) => {
    backend.incRef(info.dataId);
    return engine.makeTensorFromTensorInfo(info, backend);
  });
  try {
    const out = tf.tidy(() => fn(...tensors));
    backend.incRef(out.dataId);
    const info: tf.TensorInfo = { dataId: out.dataId, shape: out.shape, dtype: out.dtype };
    out.dispose();
    return info;
  } finally {
    tf.dispose(tensors);
  }
}
