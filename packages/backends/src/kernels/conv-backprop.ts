import * as tf from '@tensorflow/tfjs-core';
import { convInfo, inputGradient, padLikeForward, tapColumns, tapWindow, type ConvAttrs } from './conv-geometry.js';
import { composeKernel } from './tensor-bridge.js';

/**
 * Output pixels from which {@link conv2dFilterGradient} computes dW as a convolution over the
 * batch rather than as an im2col matrix product: large maps make the im2col matrix (kh*kw times
 * the input) the slow part.
 */
export const FILTER_GRADIENT_CONV_MIN_PIXELS = 1024;

/**
 * dW of a 2-D convolution. Small maps: one matrix product of the input windows of all filter taps
 * side by side ([N, Cin*kh*kw], N = batch x output pixels), transposed, times dy ([N, Cout]); the
 * transpose is explicit because wasm's matMul is fast only without transposed operands. Large
 * maps (and no dilation): {@link filterGradientAsConv}.
 */
export function conv2dFilterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[], attrs: ConvAttrs): tf.Tensor4D {
  const info = convInfo(x.shape, filterShape, attrs, false);
  const [kh, kw, cin, cout] = filterShape as [number, number, number, number];
  const n = dy.shape[0] * info.outHeight * info.outWidth;
  const taps = kh * kw;
  const xp = padLikeForward(x, info);
  if (taps > 1 && !dilated(info) && info.outHeight * info.outWidth >= FILTER_GRADIENT_CONV_MIN_PIXELS) return filterGradientAsConv(xp, dy, info);
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

/**
 * dW of a 2-D convolution computed as a convolution: with the input channels as the batch and the
 * batch as the channels ([Cin, Hp, Wp, B]), dy ([outH, outW, B, Cout]) is the filter, applied with
 * a dilation equal to the forward stride; the [Cin, kh, kw, Cout] result is dW up to a transpose.
 */
function filterGradientAsConv(xPadded: tf.Tensor4D, dy: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const cin = xPadded.shape[3];
  const cout = dy.shape[3];
  const input = tf.transpose(xPadded, [3, 1, 2, 0]);
  const filter = tf.transpose(dy, [1, 2, 0, 3]);
  let out = tf.conv2d(input, filter, 1, 'valid', 'NHWC', [sh, sw]);
  if (out.shape[1] !== kh || out.shape[2] !== kw) out = tf.slice(out, [0, 0, 0, 0], [cin, kh, kw, cout]);
  return tf.transpose(out, [1, 2, 0, 3]);
}

/** dx of a 2-D convolution: a stride-1 convolution of the dilated dy with the flipped filter. */
export function conv2dInputGradient(dy: tf.Tensor4D, filter: tf.Tensor4D, inputShape: number[], attrs: ConvAttrs): tf.Tensor4D {
  const info = convInfo(inputShape, filter.shape, attrs, false);
  const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
  return inputGradient(dy, inputShape, info, (padded) => tf.conv2d(padded, flipped, 1, 'valid'));
}

/**
 * dW of a depthwise convolution (multiplier 1). Without dilation, a depthwise convolution over
 * the whole batch at once: the input as one image with batch x channels channels
 * ([1, Hp, Wp, B*C]) and dy as its filter ([outH, outW, B*C, 1], dilated by the forward stride),
 * giving each tap's product per image and channel; a matrix product then sums over the batch.
 */
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
  const [b, hp, wp] = xp.shape;
  const taps = kh * kw;
  const input = tf.reshape<tf.Rank.R4>(tf.transpose(xp, [1, 2, 0, 3]), [1, hp, wp, b * c]);
  const filter = tf.reshape<tf.Rank.R4>(tf.transpose(dy, [1, 2, 0, 3]), [info.outHeight, info.outWidth, b * c, 1]);
  let perImage = tf.depthwiseConv2d(input, filter, 1, 'valid', 'NHWC', [info.strideHeight, info.strideWidth]);
  if (perImage.shape[1] !== kh || perImage.shape[2] !== kw) perImage = tf.slice(perImage, [0, 0, 0, 0], [1, kh, kw, b * c]);
  // [taps, B, C] -> [B, taps*C], summed over B with a matrix product (wasm reduces only the last axis fast).
  const byImage = tf.reshape(tf.transpose(tf.reshape(perImage, [taps, b, c]), [1, 0, 2]), [b, taps * c]);
  return tf.reshape(tf.matMul(tf.ones([1, b]), byImage), [kh, kw, c, 1]);
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
type Gradient = (a: tf.Tensor4D, b: tf.Tensor4D, shape: number[], attrs: ConvAttrs) => tf.Tensor4D;

/** A filter-gradient kernel (inputs `x`, `dy`; attribute `filterShape`) from one of the functions above. */
function filterGradientKernel(gradient: Gradient): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const a = attrs as unknown as ConvAttrs & { filterShape: number[] };
    return composeKernel(backend, [inputs.x!, inputs.dy!], (x, dy) => gradient(x as tf.Tensor4D, dy as tf.Tensor4D, a.filterShape, a));
  };
}

/** An input-gradient kernel (inputs `dy`, `filter`; attribute `inputShape`) from one of the functions above. */
function inputGradientKernel(gradient: Gradient): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const a = attrs as unknown as ConvAttrs & { inputShape: number[] };
    return composeKernel(backend, [inputs.dy!, inputs.filter!], (dy, f) => gradient(dy as tf.Tensor4D, f as tf.Tensor4D, a.inputShape, a));
  };
}

/** Kernel functions for TF.js's conv gradient kernels, built from the functions above. */
export const composedConvKernels: Record<string, KernelFunc> = {
  Conv2DBackpropFilter: filterGradientKernel(conv2dFilterGradient),
  Conv2DBackpropInput: inputGradientKernel(conv2dInputGradient),
  DepthwiseConv2dNativeBackpropFilter: filterGradientKernel(depthwiseFilterGradient),
  DepthwiseConv2dNativeBackpropInput: inputGradientKernel(depthwiseInputGradient),
};
