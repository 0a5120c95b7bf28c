import * as tf from '@tensorflow/tfjs-core';
import { convInfo, inputGradient, padLikeForward, tapColumns, tapWindow, type ConvAttrs } from './conv-geometry.js';
import { composeKernel } from './tensor-bridge.js';

/**
 * dW of a 2-D convolution as one matrix product: the input windows of all filter taps side by
 * side ([N, Cin*kh*kw], N = batch x output pixels), transposed, times dy ([N, Cout]). The
 * transpose is explicit because wasm's matMul is fast only without transposed operands.
 */
export function conv2dFilterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[], attrs: ConvAttrs): tf.Tensor4D {
  const info = convInfo(x.shape, filterShape, attrs, false);
  const [kh, kw, cin, cout] = filterShape as [number, number, number, number];
  const n = dy.shape[0] * info.outHeight * info.outWidth;
  const taps = kh * kw;
  const xp = padLikeForward(x, info);
  if (taps === 1 || dilated(info)) {
    // Tap-major columns: [N, kh*kw*Cin].
    const windows: tf.Tensor4D[] = [];
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) windows.push(tapWindow(xp, info, i, j));
    const cols = windows.length === 1 ? windows[0]! : tf.concat(windows, 3);
    const colsT = tf.transpose(tf.reshape(cols, [n, taps * cin]));
    return tf.reshape(tf.matMul(colsT, tf.reshape(dy, [n, cout])), [kh, kw, cin, cout]);
  }
  // Channel-major columns: [N, Cin*kh*kw]; the product is [Cin, kh*kw, Cout], reordered to the filter's layout.
  const colsT = tf.transpose(tf.reshape(tapColumns(xp, info), [n, cin * taps]));
  const product = tf.reshape(tf.matMul(colsT, tf.reshape(dy, [n, cout])), [cin, taps, cout]);
  return tf.reshape(tf.transpose(product, [1, 0, 2]), [kh, kw, cin, cout]);
}

/** dx of a 2-D convolution: a stride-1 convolution of the dilated dy with the flipped filter. */
export function conv2dInputGradient(dy: tf.Tensor4D, filter: tf.Tensor4D, inputShape: number[], attrs: ConvAttrs): tf.Tensor4D {
  const info = convInfo(inputShape, filter.shape, attrs, false);
  const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
  return inputGradient(dy, inputShape, info, (padded) => tf.conv2d(padded, flipped, 1, 'valid'));
}

/** dW of a depthwise convolution (multiplier 1): per tap, the sum over batch and pixels of x * dy. */
export function depthwiseFilterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[], attrs: ConvAttrs): tf.Tensor4D {
  const info = convInfo(x.shape, filterShape, attrs, true);
  const [kh, kw, c, m] = filterShape as [number, number, number, number];
  if (m !== 1) throw new Error('effnet depthwise filter gradient: channel multiplier must be 1');
  const xp = padLikeForward(x, info);
  if (dilated(info)) {
    const rows: tf.Tensor[] = [];
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) rows.push(tf.sum(tf.mul(tapWindow(xp, info, i, j), dy), [0, 1, 2]));
    return tf.reshape(tf.stack(rows), [kh, kw, c, 1]);
  }
  // [N, C, taps] * [N, C, 1], summed over N with a matrix product (a reduction over the leading axis transposes on wasm).
  const taps = kh * kw;
  const n = dy.shape[0] * info.outHeight * info.outWidth;
  const products = tf.mul(tf.reshape(tapColumns(xp, info), [n, c, taps]), tf.reshape(dy, [n, c, 1]));
  const sums = tf.matMul(tf.ones([1, n]), tf.reshape(products, [n, c * taps]));
  return tf.reshape(tf.transpose(tf.reshape(sums, [c, taps])), [kh, kw, c, 1]);
}

function dilated(info: tf.backend_util.Conv2DInfo): boolean {
  return info.dilationHeight !== 1 || info.dilationWidth !== 1;
}

/** dx of a depthwise convolution: a stride-1 depthwise convolution of the dilated dy with the flipped filter. */
export function depthwiseInputGradient(dy: tf.Tensor4D, filter: tf.Tensor4D, inputShape: number[], attrs: ConvAttrs): tf.Tensor4D {
  const info = convInfo(inputShape, filter.shape, attrs, true);
  const flipped = tf.reverse(filter, [0, 1]) as tf.Tensor4D;
  return inputGradient(dy, inputShape, info, (padded) => tf.depthwiseConv2d(padded, flipped, 1, 'valid'));
}

type KernelFunc = tf.KernelConfig['kernelFunc'];

/** Kernel functions for TF.js's conv gradient kernels, built from the functions above. */
export const composedConvKernels: Record<string, KernelFunc> = {
  Conv2DBackpropFilter: ({ inputs, backend, attrs }) => {
    const a = attrs as unknown as ConvAttrs & { filterShape: number[] };
    return composeKernel(backend, [inputs.x!, inputs.dy!], (x, dy) => conv2dFilterGradient(x as tf.Tensor4D, dy as tf.Tensor4D, a.filterShape, a));
  },
  Conv2DBackpropInput: ({ inputs, backend, attrs }) => {
    const a = attrs as unknown as ConvAttrs & { inputShape: number[] };
    return composeKernel(backend, [inputs.dy!, inputs.filter!], (dy, f) => conv2dInputGradient(dy as tf.Tensor4D, f as tf.Tensor4D, a.inputShape, a));
  },
  DepthwiseConv2dNativeBackpropFilter: ({ inputs, backend, attrs }) => {
    const a = attrs as unknown as ConvAttrs & { filterShape: number[] };
    return composeKernel(backend, [inputs.x!, inputs.dy!], (x, dy) => depthwiseFilterGradient(x as tf.Tensor4D, dy as tf.Tensor4D, a.filterShape, a));
  },
  DepthwiseConv2dNativeBackpropInput: ({ inputs, backend, attrs }) => {
    const a = attrs as unknown as ConvAttrs & { inputShape: number[] };
    return composeKernel(backend, [inputs.dy!, inputs.filter!], (dy, f) => depthwiseInputGradient(dy as tf.Tensor4D, f as tf.Tensor4D, a.inputShape, a));
  },
};
