/**
 * @effnet/backends: one model on every TF.js backend. Adapters for cpu, wasm, webgpu (Node and
 * browser), webgl, tfjs-node and tfjs-node-gpu, `auto` selection, and the kernels TF.js lacks.
 * @packageDocumentation
 */
export type { BackendAdapter } from './backend-adapter.js';
export { runtimeEnvironment, type RuntimeEnvironment } from './environment.js';
export { cpuAdapter } from './adapters/cpu.js';
export { configureWasm, wasmAdapter, type WasmOptions } from './adapters/wasm.js';
export { configureWebGPU, webgpuAdapter, type WebGPUOptions } from './adapters/webgpu.js';
export { webglAdapter } from './adapters/webgl.js';
export { configureTensorflow, preferSmallImageThreads, SMALL_IMAGE_SIDE, tfjsNodeAdapter, tfjsNodeGpuAdapter, type TensorflowThreads } from './adapters/tfjs-node.js';
export { builtinBackends, registerBackends } from './register.js';
export { candidateBackends, useBackend, type BackendInfo } from './use-backend.js';
export { explainBackendError } from './backend-errors.js';
export { importOptional } from './optional-import.js';
export { installKernels, originalKernel, type InstalledPatch, type KernelPatch, type PatchReason } from './kernels/install-kernels.js';
export { cpuPatches, tensorflowPatches, wasmPatches, webgpuPatches } from './kernels/patches.js';
export { cpuBackend, cpuFallbackKernel, cpuTransformPerImage } from './kernels/cpu-fallback.js';
export { composeKernel } from './kernels/tensor-bridge.js';
export {
  composedConvKernels,
  conv2dFilterGradient,
  conv2dInputGradient,
  depthwiseFilterGradient,
  depthwiseInputGradient,
} from './kernels/conv-backprop.js';
export { setupTfjsNodeFromPython, type TfjsNodeSetupOptions, type TfjsNodeSetupResult } from './setup/tfjs-node-from-python.js';
export { tensorflowGraphCompiler } from './tensorflow-graph/tensorflow-compiler.js';
export { TensorFlowSession } from './tensorflow-graph/tensorflow-session.js';
export { inferenceGraph, trainingGraph, type NetworkGraph, type TrainingGraph } from './tensorflow-graph/network-graphs.js';
export { GraphBuilder, encodeSavedModel, type GraphSignature, type GraphTensor } from './tensorflow-graph/graph-def.js';
export { compiledTrainingPass, wasmGraphCompiler } from './compiled-engine/wasm-compiler.js';
export { kernelsIfLoaded, loadKernels, unloadKernels, Kernels, ACTIVATION_CODES, type KernelExports } from './compiled-engine/kernels-module.js';
export { buildProgram, runProgram, type NetworkProgram, type ProgramOptions, type ProgramWeight, type ProgramStatistics, type ProgramMask } from './compiled-engine/network-program.js';
export { TraceOps, newTrace, traceValue, type ConvolutionNode, type TraceContext, type TraceMask, type TraceNode, type TraceValue } from './compiled-engine/trace-ops.js';
export { ArenaBuffer, planArena } from './compiled-engine/memory-plan.js';
