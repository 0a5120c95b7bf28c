import * as tf from '@tensorflow/tfjs-core';
import { originalKernel } from './install-kernels.js';
import { composeKernel } from './tensor-bridge.js';

/**
 * `BitwiseAnd` of int32 tensors from arithmetic: each of the 31 low bits by floor division and
 * modulo (which follow two's complement for negative numbers too), and the sign bit set when both
 * inputs are negative.
 */
export function bitwiseAndFromArithmetic(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    let low = tf.zerosLike(a);
    for (let k = 0; k < 31; k++) {
      const p = tf.scalar(2 ** k, 'int32');
      const bit = tf.mul(tf.mod(tf.floorDiv(a, p), 2), tf.mod(tf.floorDiv(b, p), 2));
      low = tf.add(low, tf.mul(bit, p));
    }
    const bothNegative = tf.cast(tf.logicalAnd(tf.less(a, 0), tf.less(b, 0)), 'int32');
    return tf.add(low, tf.mul(bothNegative, tf.scalar(-2147483648, 'int32')));
  });
}

/** BitwiseAnd for backends that lack it, composed from ops they have. */
export const composedBitwiseAnd: tf.KernelConfig['kernelFunc'] = ({ inputs, backend }) =>
  composeKernel(backend, [inputs.a!, inputs.b!], (a, b) => bitwiseAndFromArithmetic(a, b));

/**
 * CropAndResize one box at a time on its own image (box index 0), which the webgpu kernel gets
 * right, then stacks the crops: TF.js 4.22's webgpu kernel returns zeros for boxes whose image
 * index is not 0.
 */
export const cropAndResizeBoxByBox: tf.KernelConfig['kernelFunc'] = ({ inputs, backend, attrs }) => {
  const original = originalKernel('CropAndResize', 'webgpu')!.kernelFunc;
  const engine = tf.engine();
  return composeKernel(backend, [inputs.image!, inputs.boxes!, inputs.boxInd!], (image, boxes, boxInd) => {
    const indices = Array.from(boxInd.dataSync());
    const crops = indices.map((imageIndex, i) => {
      const one = tf.slice(image, [imageIndex, 0, 0, 0], [1, ...image.shape.slice(1)]);
      const box = tf.slice(boxes, [i, 0], [1, 4]);
      const zero = tf.zeros([1], 'int32');
      const info = original({ inputs: { image: one, boxes: box, boxInd: zero }, backend, attrs: attrs ?? {} }) as tf.TensorInfo;
      return engine.makeTensorFromTensorInfo(info, backend as tf.KernelBackend);
    });
    return tf.concat(crops, 0);
  });
};
