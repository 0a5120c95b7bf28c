import type * as tf from '@tensorflow/tfjs-core';
import { convInfo, type ConvAttrs } from './conv-geometry.js';

/** The part of TF.js's cpu backend these kernels use. */
interface CpuBackend {
  readSync(dataId: tf.DataId): tf.backend_util.BackendValues;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: tf.backend_util.BackendValues): tf.TensorInfo;
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

/** What both filter gradients read: geometry, the input and dy values, and the cpu backend. */
function readFilterGradientArgs({ inputs, backend, attrs }: KernelArgs, depthwise: boolean) {
  const a = attrs as unknown as ConvAttrs & { filterShape: number[] };
  const cpu = backend as CpuBackend;
  const x = inputs.x!;
  const info = convInfo(x.shape, a.filterShape, a, depthwise);
  return {
    cpu,
    info,
    filterShape: a.filterShape as [number, number, number, number],
    xShape: x.shape as [number, number, number, number],
    xv: cpu.readSync(x.dataId) as Float32Array,
    dyv: cpu.readSync(inputs.dy!.dataId) as Float32Array,
  };
}

/**
 * Visits every (output position, filter tap) pair whose input pixel lies inside the image, with
 * the offsets of dy's channels, x's channels and the tap: the iteration both filter gradients share.
 */
function forEachTap(
  batch: number,
  h: number,
  w: number,
  info: tf.backend_util.Conv2DInfo,
  dyChannels: number,
  xChannels: number,
  visit: (dyBase: number, xBase: number, tap: number) => void,
): void {
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, filterHeight: kh, filterWidth: kw } = info;
  const { top, left } = info.padInfo;
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < oh; r++) {
      for (let c = 0; c < ow; c++) {
        const dyBase = ((b * oh + r) * ow + c) * dyChannels;
        for (let i = 0; i < kh; i++) {
          const y = r * sh + i * dh - top;
          if (y < 0 || y >= h) continue;
          for (let j = 0; j < kw; j++) {
            const xx = c * sw + j * dw - left;
            if (xx < 0 || xx >= w) continue;
            visit(dyBase, ((b * h + y) * w + xx) * xChannels, i * kw + j);
          }
        }
      }
    }
  }
}

/**
 * dW of a 2-D convolution on the cpu backend as a direct loop whose innermost loop runs over
 * contiguous output channels of both dy and dW (TF.js's own kernel strides through memory).
 */
export function cpuConv2dFilterGradient(args: KernelArgs): tf.TensorInfo {
  const { cpu, info, filterShape, xShape, xv, dyv } = readFilterGradientArgs(args, false);
  const [batch, h, w, cin] = xShape;
  const [kh, kw, , cout] = filterShape;
  const out = new Float32Array(kh * kw * cin * cout);
  forEachTap(batch, h, w, info, cout, cin, (dyBase, xBase, tap) => {
    const wTap = tap * cin;
    for (let ci = 0; ci < cin; ci++) {
      const v = xv[xBase + ci]!;
      if (v === 0) continue;
      const wBase = (wTap + ci) * cout;
      for (let co = 0; co < cout; co++) out[wBase + co]! += v * dyv[dyBase + co]!;
    }
  });
  return cpu.makeTensorInfo([kh, kw, cin, cout], 'float32', out);
}

/** dW of a depthwise convolution (multiplier 1) on the cpu backend, channels innermost. */
export function cpuDepthwiseFilterGradient(args: KernelArgs): tf.TensorInfo {
  const { cpu, info, filterShape, xShape, xv, dyv } = readFilterGradientArgs(args, true);
  const [batch, h, w, ch] = xShape;
  const [kh, kw, , mult] = filterShape;
  if (mult !== 1) throw new Error('effnet depthwise filter gradient: channel multiplier must be 1');
  const out = new Float32Array(kh * kw * ch);
  forEachTap(batch, h, w, info, ch, ch, (dyBase, xBase, tap) => {
    const wBase = tap * ch;
    for (let k = 0; k < ch; k++) out[wBase + k]! += xv[xBase + k]! * dyv[dyBase + k]!;
  });
  return cpu.makeTensorInfo([kh, kw, ch, 1], 'float32', out);
}
