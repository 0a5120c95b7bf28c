import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2dFilterGradient, conv2dInputGradient, depthwiseFilterGradient, depthwiseInputGradient, FILTER_GRADIENT_CONV_MIN_PIXELS } from './conv-backprop.js';
import { convInfo, type ConvAttrs } from './conv-geometry.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** TF.js's own cpu kernel, the reference. */
function reference(kernel: string, inputs: tf.NamedTensorMap, attrs: object): tf.Tensor {
  return tf.engine().runKernel(kernel, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;
}

function maxRel(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]! / Math.max(1e-6, tf.max(tf.abs(b)).dataSync()[0]!));
}

const cases: { name: string; h: number; w: number; k: number; s: number; pad: 'same' | 'valid' }[] = [];
for (const s of [1, 2]) for (const pad of ['same', 'valid'] as const) for (const [h, w] of [[8, 8], [9, 7], [6, 11]] as const) for (const k of [1, 3, 5]) {
  cases.push({ name: `${h}x${w} k${k} s${s} ${pad}`, h, w, k, s, pad });
}
// Maps of at least FILTER_GRADIENT_CONV_MIN_PIXELS output pixels take the convolution path for dW.
for (const pad of ['same', 'valid'] as const) {
  cases.push({ name: `33x34 k3 s1 ${pad} (large)`, h: 33, w: 34, k: 3, s: 1, pad }, { name: `68x67 k3 s2 ${pad} (large)`, h: 68, w: 67, k: 3, s: 2, pad });
}

describe('composed conv gradient kernels match TF.js cpu kernels', () => {
  it('the large cases reach the convolution path for dW', () => {
    expect(33 * 34).toBeGreaterThanOrEqual(FILTER_GRADIENT_CONV_MIN_PIXELS);
    expect(Math.floor((67 - 3) / 2 + 1) * Math.floor((68 - 3) / 2 + 1)).toBeGreaterThanOrEqual(FILTER_GRADIENT_CONV_MIN_PIXELS);
  });

  /** Both gradients of one case, against TF.js's cpu kernels (regular: 3 -> 5 channels; depthwise: 4 channels). */
  const kinds = {
    conv2d: { depthwise: false, channels: [3, 5], seed: 1, kernels: ['Conv2DBackpropFilter', 'Conv2DBackpropInput'], dW: conv2dFilterGradient, dX: conv2dInputGradient },
    depthwise: { depthwise: true, channels: [4, 1], seed: 4, kernels: ['DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput'], dW: depthwiseFilterGradient, dX: depthwiseInputGradient },
  } as const;

  it.each(Object.keys(kinds).flatMap((kind) => cases.map((c) => ({ ...c, kind: kind as keyof typeof kinds }))))('$kind $name', ({ kind, h, w, k, s, pad }) => {
    const o = kinds[kind];
    tf.tidy(() => {
      const attrs: ConvAttrs = { strides: [s, s], pad, dataFormat: 'NHWC', dilations: 1 };
      const [cin, cm] = o.channels;
      const x = tf.randomNormal([2, h, w, cin], 0, 1, 'float32', o.seed) as tf.Tensor4D;
      const filter = tf.randomNormal([k, k, cin, cm], 0, 1, 'float32', o.seed + 1) as tf.Tensor4D;
      const info = convInfo(x.shape, filter.shape, attrs, o.depthwise);
      const dy = tf.randomNormal([2, info.outHeight, info.outWidth, o.depthwise ? cin : cm], 0, 1, 'float32', o.seed + 2) as tf.Tensor4D;
      const dW = reference(o.kernels[0], { x, dy }, { ...attrs, filterShape: filter.shape });
      expect(maxRel(o.dW(x, dy, filter.shape, attrs), dW)).toBeLessThan(1e-5);
      const dX = reference(o.kernels[1], { dy, filter }, { ...attrs, inputShape: x.shape });
      expect(maxRel(o.dX(dy, filter, x.shape, attrs), dX)).toBeLessThan(1e-5);
    });
  });

  it('matches a numeric gradient of the forward conv (independent of TF.js gradients)', () => {
    const x = tf.randomNormal([1, 5, 6, 2], 0, 1, 'float32', 7) as tf.Tensor4D;
    const filter = tf.randomNormal([3, 3, 2, 2], 0, 1, 'float32', 8) as tf.Tensor4D;
    const attrs: ConvAttrs = { strides: [2, 2], pad: 'same', dataFormat: 'NHWC' };
    const dy = tf.ones([1, 3, 3, 2]) as tf.Tensor4D;
    const analytic = conv2dFilterGradient(x, dy, filter.shape, attrs).dataSync();
    const f = filter.dataSync().slice() as Float32Array;
    const eps = 1e-2;
    for (const idx of [0, 7, 20, 35]) {
      const plus = f.slice();
      plus[idx]! += eps;
      const minus = f.slice();
      minus[idx]! -= eps;
      const loss = (vals: Float32Array) => tf.tidy(() => tf.sum(tf.conv2d(x, tf.tensor4d(vals, filter.shape), 2, 'same')).dataSync()[0]!);
      expect(analytic[idx]!).toBeCloseTo((loss(plus) - loss(minus)) / (2 * eps), 2);
    }
  });
});

describe('the cpu filter-gradient kernels effnet installs', () => {
  it.each(cases.filter((c) => c.k !== 1))('match TF.js\'s own kernels: $name', async ({ h, w, k, s, pad }) => {
    const { useBackend } = await import('../use-backend.js');
    const { originalKernel } = await import('./install-kernels.js');
    await useBackend('cpu');
    tf.tidy(() => {
      const attrs = { strides: [s, s] as [number, number], pad, dataFormat: 'NHWC' as const, dilations: [1, 1] as [number, number] };
      for (const [kernel, c, depthwise] of [['Conv2DBackpropFilter', 5, false], ['DepthwiseConv2dNativeBackpropFilter', 3, true]] as const) {
        const x = tf.randomNormal([2, h, w, 3], 0, 1, 'float32', 12);
        const filterShape = [k, k, 3, depthwise ? 1 : c];
        const info = convInfo(x.shape, filterShape, attrs, depthwise);
        const dy = tf.randomNormal([2, info.outHeight, info.outWidth, depthwise ? 3 : c], 0, 1, 'float32', 13);
        const ours = reference(kernel, { x, dy }, { ...attrs, filterShape });
        const theirs = originalKernel(kernel, 'cpu')!.kernelFunc({ inputs: { x, dy }, backend: tf.backend(), attrs: { ...attrs, filterShape } }) as tf.TensorInfo;
        const t = tf.engine().makeTensorFromTensorInfo(theirs);
        expect(maxRel(ours, t), kernel).toBeLessThan(1e-5);
      }
    });
  });
});
