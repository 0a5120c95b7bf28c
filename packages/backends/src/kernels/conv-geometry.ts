import * as tf from '@tensorflow/tfjs-core';

/** The attributes of TF.js's conv kernels that decide geometry. */
export interface ConvAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dilations?: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dataFormat?: 'NHWC' | 'NCHW';
}

/** Conv geometry (padding, output size) exactly as the forward kernel computed it. */
export function convInfo(xShape: number[], filterShape: number[], attrs: ConvAttrs, depthwise: boolean): tf.backend_util.Conv2DInfo {
  if (attrs.dataFormat === 'NCHW') throw new Error('effnet conv kernels support NHWC only');
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise,
  );
}

/** x padded as the forward pass padded it: [B, H + top + bottom, W + left + right, C]. */
export function padLikeForward(x: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const { top, bottom, left, right } = info.padInfo;
  if (top === 0 && bottom === 0 && left === 0 && right === 0) return x;
  return tf.pad(x, [[0, 0], [Math.max(0, top), Math.max(0, bottom)], [Math.max(0, left), Math.max(0, right)], [0, 0]]);
}

/**
 * The input pixels that filter tap (i, j) sees for every output position: [B, outH, outW, C].
 * Stride 1 is a contiguous slice; larger strides take every s-th row and column.
 */
export function tapWindow(xPadded: tf.Tensor4D, info: tf.backend_util.Conv2DInfo, i: number, j: number): tf.Tensor4D {
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const [b, , , c] = xPadded.shape;
  const h0 = i * dh;
  const w0 = j * dw;
  if (sh === 1 && sw === 1) {
    if (h0 === 0 && w0 === 0 && oh === xPadded.shape[1] && ow === xPadded.shape[2]) return xPadded;
    return tf.slice(xPadded, [0, h0, w0, 0], [b, oh, ow, c]);
  }
  return tf.stridedSlice(xPadded, [0, h0, w0, 0], [b, h0 + (oh - 1) * sh + 1, w0 + (ow - 1) * sw + 1, c], [1, sh, sw, 1]) as tf.Tensor4D;
}

/**
 * Every filter tap's input window side by side, `[B, outH, outW, C * kh * kw]` with channel
 * `c * kh * kw + i * kw + j` holding tap (i, j) of input channel c: one depthwise convolution of
 * the padded input with a one-hot filter. On wasm this is far faster than a slice per tap (strided
 * slices there copy element by element). Dilated convolutions use {@link tapWindow} instead.
 */
export function tapColumns(xPadded: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
  const [b, , , c] = xPadded.shape;
  const taps = kh * kw;
  const oneHot = new Float32Array(taps * c * taps);
  for (let t = 0; t < taps; t++) for (let ch = 0; ch < c; ch++) oneHot[(t * c + ch) * taps + t] = 1;
  const filter = tf.tensor4d(oneHot, [kh, kw, c, taps]);
  const cols = tf.depthwiseConv2d(xPadded, filter, [sh, sw], 'valid');
  if (cols.shape[1] === oh && cols.shape[2] === ow) return cols;
  return tf.slice(cols, [0, 0, 0, 0], [b, oh, ow, c * taps]);
}

/** Inserts s - 1 zero rows (columns) between rows (columns): the transpose of a stride-s sampling. */
export function dilateSpatial(dy: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  let y = dy;
  const [b, oh, ow, c] = y.shape;
  if (sh > 1) {
    const zeros = tf.zeros([b, oh, sh - 1, ow, c]);
    y = tf.reshape(tf.concat([tf.expandDims(y, 2), zeros], 2), [b, oh * sh, ow, c]);
    y = tf.slice(y, [0, 0, 0, 0], [b, (oh - 1) * sh + 1, ow, c]);
  }
  if (sw > 1) {
    const [, h] = y.shape;
    const zeros = tf.zeros([b, h, ow, sw - 1, c]);
    y = tf.reshape(tf.concat([tf.expandDims(y, 3), zeros], 3), [b, h, ow * sw, c]);
    y = tf.slice(y, [0, 0, 0, 0], [b, h, (ow - 1) * sw + 1, c]);
  }
  return y;
}

/**
 * The gradient of a convolution with respect to its input, as a stride-1 'valid' convolution of
 * the spatially dilated, padded output gradient with the flipped filter, cropped to the input.
 * `conv` runs the stride-1 'valid' convolution (regular or depthwise).
 */
export function inputGradient(
  dy: tf.Tensor4D,
  inputShape: number[],
  info: tf.backend_util.Conv2DInfo,
  conv: (padded: tf.Tensor4D) => tf.Tensor4D,
): tf.Tensor4D {
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  if (dh !== 1 || dw !== 1) throw new Error('effnet conv input gradient: dilated convolutions are not supported');
  const { top, left, bottom, right } = info.padInfo;
  const [, h, w] = inputShape as [number, number, number, number];
  const dyd = dilateSpatial(dy, sh, sw);
  const hp = h + top + bottom;
  const wp = w + left + right;
  const [padBottom, padRight] = [hp - dyd.shape[1], wp - dyd.shape[2]];
  const noPad = kh === 1 && kw === 1 && padBottom === 0 && padRight === 0;
  const padded = noPad ? dyd : tf.pad(dyd, [[0, 0], [kh - 1, padBottom], [kw - 1, padRight], [0, 0]]);
  const full = conv(padded);
  if (top === 0 && left === 0 && full.shape[1] === h && full.shape[2] === w) return full;
  return tf.slice(full, [0, top, left, 0], [dy.shape[0], h, w, full.shape[3]]);
}
