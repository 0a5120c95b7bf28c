import { composedConvKernels } from './conv-backprop.js';
import { cpuConv2dFilterGradient, cpuDepthwiseFilterGradient } from './cpu-filter-gradients.js';
import { composedBitwiseAnd, cropAndResizeBoxByBox } from './composed-fixes.js';
import { cpuFallbackKernel, cpuTransformPerImage } from './cpu-fallback.js';
import type { KernelPatch } from './install-kernels.js';
import { sharedIdentity } from './shared-identity.js';

const k = composedConvKernels;

const fallback = (kernelName: string, reason: KernelPatch['reason'], note: string): KernelPatch => ({
  kernelName,
  reason,
  kernelFunc: cpuFallbackKernel(kernelName),
  note: `${note}; runs TF.js's cpu kernel`,
});

/** cpu: faster conv filter gradients, and a batch-safe Transform. */
export const cpuPatches: readonly KernelPatch[] = [
  { kernelName: 'Transform', reason: 'bugfix', kernelFunc: cpuTransformPerImage(), note: 'TF.js 4.22 transforms only image 0 of a batch' },
  { kernelName: 'Conv2DBackpropFilter', reason: 'faster', kernelFunc: cpuConv2dFilterGradient, note: 'a loop over contiguous channels instead of strided scalar access' },
  { kernelName: 'DepthwiseConv2dNativeBackpropFilter', reason: 'faster', kernelFunc: cpuDepthwiseFilterGradient, note: 'a loop over contiguous channels instead of strided scalar access' },
];

/** wasm: the conv gradients TF.js 4.22 does not register (training fails without them), a copy-free Identity, missing and wrong image kernels. */
export const wasmPatches: readonly KernelPatch[] = [
  { kernelName: 'Conv2DBackpropFilter', reason: 'missing', kernelFunc: k.Conv2DBackpropFilter!, note: 'not registered by tfjs-backend-wasm' },
  { kernelName: 'DepthwiseConv2dNativeBackpropFilter', reason: 'missing', kernelFunc: k.DepthwiseConv2dNativeBackpropFilter!, note: 'not registered by tfjs-backend-wasm' },
  { kernelName: 'DepthwiseConv2dNativeBackpropInput', reason: 'missing', kernelFunc: k.DepthwiseConv2dNativeBackpropInput!, note: 'not registered by tfjs-backend-wasm' },
  { kernelName: 'Conv2DBackpropInput', reason: 'faster', kernelFunc: k.Conv2DBackpropInput!, note: 'a stride-1 XNNPACK convolution instead of a scalar loop' },
  { kernelName: 'Identity', reason: 'faster', kernelFunc: sharedIdentity, note: 'shares the input\'s memory instead of copying it (TF.js clones every tensor saved for the backward pass)' },
  fallback('Einsum', 'missing', 'not registered by tfjs-backend-wasm (tf.image.rgbToGrayscale needs it)'),
  fallback('UnsortedSegmentSum', 'missing', 'not registered by tfjs-backend-wasm (the gradient of gather needs it)'),
  fallback('RotateWithOffset', 'bugfix', 'tfjs-backend-wasm fills with 4294967296 for a fill value of -1'),
];

/** webgpu: a missing kernel and a wrong one. */
export const webgpuPatches: readonly KernelPatch[] = [
  { kernelName: 'BitwiseAnd', reason: 'missing', kernelFunc: composedBitwiseAnd, note: 'not registered by tfjs-backend-webgpu; composed from integer arithmetic' },
  { kernelName: 'CropAndResize', reason: 'bugfix', kernelFunc: cropAndResizeBoxByBox, note: 'tfjs-backend-webgpu returns zeros for boxes of images other than the first; crops box by box' },
];

/** tfjs-node (backend `tensorflow`): image and bit kernels its addon does not have. */
export const tensorflowPatches: readonly KernelPatch[] = [
  fallback('Transform', 'missing', 'not in tfjs-node'),
  fallback('RotateWithOffset', 'missing', 'not in tfjs-node'),
  fallback('BitwiseAnd', 'missing', 'not in tfjs-node'),
  fallback('DenseBincount', 'missing', 'not in tfjs-node'),
];
