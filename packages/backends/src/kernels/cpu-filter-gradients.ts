import type * as tf from '@tensorflow/tfjs-core';
import { convInfo, type ConvAttrs } from './conv-geometry.js';

/** The part of TF.js's cpu backend these kernels use. */
interface CpuBackend {
  readSync(dataId: tf.DataId): tf.backend_util.BackendValues;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: tf.backend_util.BackendValues): tf.TensorInfo;
}

/**
 * dW of a 2-D convolution on the cpu backend as a direct loop whose innermost loop runs over
 * contiguous output channels of both dy and dW (TF.js's own kernel strides through memory).
 */
export function cpuConv2dFilterGradient({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const a = attrs as unknown as ConvAttrs & { filterShape: number[] };
  const cpu = backend as CpuBackend;
  const x = inputs.x!;
  const dy = inputs.dy!;
  const info = convInfo(x.shape, a.filterShape, a, false);
  const [batch, h, w, cin] = x.shape as [number, number, number, number];
  const [kh, kw, , cout] = a.filterShape as [number, number, number, number];
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const xv = cpu.readSync(x.dataId) as Float32Array;
  const dyv = cpu.readSync(dy.dataId) as Float32Array;
  const out = new Float32Array(kh * kw * cin * cout);
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < oh; r++) {
      for (let c = 0; c < ow; c++) {
        const dyBase = ((b * oh + r) * ow + c) * cout;
        for (let i = 0; i < kh; i++) {
          const y = r * sh + i * dh - top;
          if (y < 0 || y >= h) continue;
          for (let j = 0; j < kw; j++) {
            const xx = c * sw + j * dw - left;
            if (xx < 0 || xx >= w) continue;
            const xBase = ((b * h + y) * w + xx) * cin;
            const wTap = (i * kw + j) * cin;
            for (let ci = 0; ci < cin; ci++) {
              const v = xv[xBase + ci]!;
              if (v === 0) continue;
              const wBase = (wTap + ci) * cout;
              for (let co = 0; co < cout; co++) out[wBase + co]! += v * dyv[dyBase + co]!;
            }
          }
        }
      }
    }
  }
  return cpu.makeTensorInfo([kh, kw, cin, cout], 'float32', out);
}

/** dW of a depthwise convolution (multiplier 1) on the cpu backend, channels innermost. */
export function cpuDepthwiseFilterGradient({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const a = attrs as unknown as ConvAttrs & { filterShape: number[] };
  const cpu = backend as CpuBackend;
  const x = inputs.x!;
  const dy = inputs.dy!;
  const info = convInfo(x.shape, a.filterShape, a, true);
  const [batch, h, w, ch] = x.shape as [number, number, number, number];
  const [kh, kw, , mult] = a.filterShape as [number, number, number, number];
  if (mult !== 1) throw new Error('effnet depthwise filter gradient: channel multiplier must be 1');
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const xv = cpu.readSync(x.dataId) as Float32Array;
  const dyv = cpu.readSync(dy.dataId) as Float32Array;
  const out = new Float32Array(kh * kw * ch);
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < oh; r++) {
      for (let c = 0; c < ow; c++) {
        const dyBase = ((b * oh + r) * ow + c) * ch;
        for (let i = 0; i < kh; i++) {
          const y = r * sh + i * dh - top;
          if (y < 0 || y >= h) continue;
          for (let j = 0; j < kw; j++) {
            const xx = c * sw + j * dw - left;
            if (xx < 0 || xx >= w) continue;
            const xBase = ((b * h + y) * w + xx) * ch;
            const wBase = (i * kw + j) * ch;
            for (let k = 0; k < ch; k++) out[wBase + k]! += xv[xBase + k]! * dyv[dyBase + k]!;
          }
        }
      }
    }
  }
  return cpu.makeTensorInfo([kh, kw, ch, 1], 'float32', out);
}
