import { composedConvKernels } from './conv-backprop.js';
import { cpuConv2dFilterGradient, cpuDepthwiseFilterGradient } from './cpu-filter-gradients.js';
import type { KernelPatch } from './install-kernels.js';

const k = composedConvKernels;

/** cpu: TF.js's conv filter gradients are scalar loops (a few M MAC/s); these use matMul. */
export const cpuPatches: readonly KernelPatch[] = [
  { kernelName: 'Conv2DBackpropFilter', reason: 'faster', kernelFunc: cpuConv2dFilterGradient, note: 'a loop over contiguous channels instead of strided scalar access' },
  { kernelName: 'DepthwiseConv2dNativeBackpropFilter', reason: 'faster', kernelFunc: cpuDepthwiseFilterGradient, note: 'a loop over contiguous channels instead of strided scalar access' },
];

/** wasm: the conv gradients TF.js 4.22 does not register (training fails without them). */
export const wasmPatches: readonly KernelPatch[] = [
  { kernelName: 'Conv2DBackpropFilter', reason: 'missing', kernelFunc: k.Conv2DBackpropFilter!, note: 'not registered by tfjs-backend-wasm' },
  { kernelName: 'DepthwiseConv2dNativeBackpropFilter', reason: 'missing', kernelFunc: k.DepthwiseConv2dNativeBackpropFilter!, note: 'not registered by tfjs-backend-wasm' },
  { kernelName: 'DepthwiseConv2dNativeBackpropInput', reason: 'missing', kernelFunc: k.DepthwiseConv2dNativeBackpropInput!, note: 'not registered by tfjs-backend-wasm' },
  { kernelName: 'Conv2DBackpropInput', reason: 'faster', kernelFunc: k.Conv2DBackpropInput!, note: 'a stride-1 XNNPACK convolution instead of a scalar loop' },
];
