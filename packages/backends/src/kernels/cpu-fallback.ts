import * as tf from '@tensorflow/tfjs-core';
import { originalKernel } from './install-kernels.js';

/** What the fallback needs from TF.js's cpu backend. */
interface CpuBackendLike extends tf.KernelBackend {
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: tf.backend_util.BackendValues): tf.TensorInfo;
}

/** The cpu backend instance, initialising it when needed. */
export function cpuBackend(): CpuBackendLike {
  const b = tf.findBackend('cpu');
  if (!b) throw new Error('effnet: the cpu backend is needed for a kernel fallback; import @tensorflow/tfjs-backend-cpu');
  return b as CpuBackendLike;
}

function readQuietly(backend: tf.KernelBackend, dataId: tf.DataId): tf.backend_util.BackendValues {
  // webgpu warns on every synchronous read; the fallback reads on purpose.
  const warn = console.warn;
  console.warn = () => {};
  try {
    return backend.readSync(dataId);
  } finally {
    console.warn = warn;
  }
}

/**
 * A kernel for any backend that runs TF.js's own cpu implementation: inputs are read to the CPU,
 * the cpu kernel runs, and the result is written back. Slower than a native kernel but exact;
 * used where a backend lacks a kernel or has a wrong one. `kernel` defaults to the cpu kernel of
 * the same name. Needs synchronous reads, so not for webgpu in Node (see composed-fixes.ts).
 */
export function cpuFallbackKernel(kernelName: string, kernel?: tf.KernelConfig['kernelFunc']): tf.KernelConfig['kernelFunc'] {
  return ({ inputs, backend, attrs }) => {
    const cpu = cpuBackend();
    const target = backend as tf.KernelBackend & { makeTensorInfo?: CpuBackendLike['makeTensorInfo'] };
    const func = kernel ?? tf.getKernel(kernelName, 'cpu')?.kernelFunc;
    if (!func) throw new Error(`effnet: no cpu kernel ${kernelName} to fall back to`);
    // Some kernels (Einsum, AddN, Concat) take an array of inputs rather than named ones.
    const cpuInputs = (Array.isArray(inputs) ? [] : {}) as tf.NamedTensorInfoMap;
    const created: tf.TensorInfo[] = [];
    for (const [name, info] of Object.entries(inputs)) {
      if (!info) continue;
      const values = target === cpu ? cpu.readSync(info.dataId) : readQuietly(target, info.dataId);
      const copy = cpu.makeTensorInfo(info.shape, info.dtype, values);
      created.push(copy);
      (cpuInputs as Record<string, tf.TensorInfo>)[name] = copy;
    }
    try {
      const result = func({ inputs: cpuInputs, backend: cpu, attrs: attrs ?? {} });
      const outs = Array.isArray(result) ? result : [result];
      const back = outs.map((o) => {
        const values = cpu.readSync(o.dataId);
        const made = writeTo(target, o.shape, o.dtype, values);
        cpu.disposeData(o.dataId);
        return made;
      });
      return Array.isArray(result) ? back : back[0]!;
    } finally {
      for (const c of created) cpu.disposeData(c.dataId);
    }
  };
}

function writeTo(backend: tf.KernelBackend & { makeTensorInfo?: CpuBackendLike['makeTensorInfo'] }, shape: number[], dtype: tf.DataType, values: tf.backend_util.BackendValues): tf.TensorInfo {
  if (backend.makeTensorInfo) return backend.makeTensorInfo(shape, dtype, values);
  const dataId = backend.write(values, shape, dtype);
  return { dataId, shape, dtype };
}

/**
 * The cpu backend's `Transform` transforms only image 0 when the batch is larger than 1 (TF.js
 * 4.22). This runs TF.js's kernel once per image and stacks the results.
 */
export function cpuTransformPerImage(): tf.KernelConfig['kernelFunc'] {
  return ({ inputs, backend, attrs }) => {
    const original = (originalKernel('Transform', 'cpu') ?? tf.getKernel('Transform', 'cpu'))!.kernelFunc;
    const cpu = backend as CpuBackendLike;
    const image = inputs.image!;
    const transforms = inputs.transforms!;
    const [batch, , , ] = image.shape as [number, number, number, number];
    if (batch <= 1) return original({ inputs, backend, attrs: attrs ?? {} });
    const imgValues = cpu.readSync(image.dataId) as Float32Array | Int32Array;
    const trValues = cpu.readSync(transforms.dataId) as Float32Array;
    const perImage = imgValues.length / batch;
    const perTransform = trValues.length / transforms.shape[0]!;
    const parts: tf.backend_util.TypedArray[] = [];
    let outShape: number[] = [];
    let outDtype: tf.DataType = image.dtype;
    for (let b = 0; b < batch; b++) {
      const img = cpu.makeTensorInfo([1, ...image.shape.slice(1)], image.dtype, imgValues.slice(b * perImage, (b + 1) * perImage));
      const t = transforms.shape[0] === 1 ? 0 : b;
      const tr = cpu.makeTensorInfo([1, 8], 'float32', trValues.slice(t * perTransform, (t + 1) * perTransform));
      const out = original({ inputs: { image: img, transforms: tr }, backend, attrs: attrs ?? {} }) as tf.TensorInfo;
      parts.push(cpu.readSync(out.dataId) as tf.backend_util.TypedArray);
      outShape = out.shape;
      outDtype = out.dtype;
      for (const d of [img.dataId, tr.dataId, out.dataId]) cpu.disposeData(d);
    }
    const size = parts[0]!.length;
    const all = outDtype === 'int32' ? new Int32Array(size * batch) : new Float32Array(size * batch);
    parts.forEach((p, i) => all.set(p, i * size));
    return cpu.makeTensorInfo([batch, ...outShape.slice(1)], outDtype, all);
  };
}
