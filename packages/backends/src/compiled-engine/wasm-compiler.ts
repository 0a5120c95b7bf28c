import * as tf from '@tensorflow/tfjs-core';
import {
  EffnetError,
  isEffnetError,
  planNetwork,
  runNetwork,
  type CompiledInference,
  type EffNetModel,
  type GraphCompiler,
  type InferenceModel,
  type NetworkOutput,
  type ResidentTraining,
  type ResidentTrainingConfig,
  type TrainingPass,
  type TrainingPassSettings,
} from '@effnet/core';
import { moveStatisticsOnHost } from '../moving-statistics.js';
import { kernelsIfLoaded, type Kernels } from './kernels-module.js';
import { buildProgram, runProgram, type NetworkProgram } from './network-program.js';
import { newTrace, traceValue, TraceOps } from './trace-ops.js';
import { WasmResidentTraining } from './wasm-resident.js';

function kernels(): Kernels {
  const k = kernelsIfLoaded();
  if (!k) throw new EffnetError('GRAPH_UNSUPPORTED', 'the compiled engine is not loaded yet (useBackend("wasm") loads it)');
  return k;
}

/** The compiled training program of a model for one batch size, input size and regularisation. */
function trainingProgram(model: EffNetModel, batch: number, height: number, width: number, s: TrainingPassSettings): NetworkProgram {
  const spec = {
    ...model.spec,
    dropout: s.dropout,
    dropPathRate: s.dropPathRate,
  };
  const plan = s.dropPathRate === model.spec.dropPathRate ? { ...model.plan, spec } : planNetwork(spec);
  const ctx = newTrace(true, spec.activation);
  const input = traceValue(ctx, [batch, height, width, 3]);
  const logits = runNetwork(new TraceOps(ctx), input, plan, 'logits');
  if (logits.shape.length !== 2) throw new EffnetError('GRAPH_UNSUPPORTED', 'a model without a classifier has no training loss');
  const decls = new Map(model.weightDecls.map((d) => [d.name, d]));
  return buildProgram(kernels(), ctx.nodes, ctx.masks, input, logits, {
    training: true,
    bnEpsilon: spec.bnEpsilon,
    weight(name) {
      const d = decls.get(name);
      if (!d) throw new EffnetError('MISSING_WEIGHT', `the model has no weight "${name}"`);
      return { shape: d.shape, trainable: d.trainable };
    },
  });
}

const trainingCache = new WeakMap<EffNetModel, Map<string, NetworkProgram | EffnetError>>();

/** The model's training program for these settings, compiled on first use (a failure is kept too). */
export function cachedTraining(model: EffNetModel, batch: number, height: number, width: number, s: TrainingPassSettings): NetworkProgram {
  let byKey = trainingCache.get(model);
  if (!byKey) {
    byKey = new Map();
    trainingCache.set(model, byKey);
    const cache = byKey;
    model.onDispose(() => cache.clear());
  }
  const key = `${batch}x${height}x${width}|dropout:${s.dropout}|drop-path:${s.dropPathRate}`;
  const hit = byKey.get(key);
  if (hit instanceof Error) throw hit;
  if (hit) return hit;
  try {
    const program = trainingProgram(model, batch, height, width, s);
    byKey.set(key, program);
    return program;
  } catch (e) {
    if (isEffnetError(e)) byKey.set(key, e);
    throw e;
  }
}

/** Copies a float32 tensor's values into an arena buffer. */
function write(k: Kernels, offset: number, values: ArrayLike<number>): void {
  k.f32(offset, values.length).set(values);
}

/** A copy of an arena buffer's first `length` floats. */
function read(k: Kernels, offset: number, length: number): Float32Array {
  return k.f32(offset, length).slice();
}

/** Draws the masks in the order the eager pass does, from the model's seeds, into the program. */
export function drawMasks(model: EffNetModel, program: NetworkProgram, settings: TrainingPassSettings): void {
  for (const m of program.masks) {
    const seed = model.random.nextSeed();
    const values = tf.tidy(() => {
      if (m.kind === 'drop-path') return tf.div(tf.floor(tf.add(m.rate, tf.randomUniform(m.shape, 0, 1, 'float32', seed))), m.rate);
      return tf.dropout(tf.ones(m.shape), settings.dropout, undefined, seed);
    });
    write(program.kernels, m.buffer.offset, values.dataSync() as Float32Array);
    values.dispose();
  }
}

/**
 * The compiled engine's graph compiler for TF.js's wasm backend: each network is traced once per
 * batch and input size into kernel calls over one planned arena in a WebAssembly module of its
 * own (128-bit SIMD), run without TF.js op dispatch; tensors cross only at the pass's edges.
 */
export const wasmGraphCompiler: GraphCompiler = {
  backend: 'wasm',

  compileInference(model: InferenceModel, height: number, width: number, output: NetworkOutput): CompiledInference {
    const k = kernels();
    const programs = new Map<number, NetworkProgram>();
    const folded = model.foldedWeights;
    // The snapshot's weights never change: read them once.
    const values = new Map<string, Float32Array>();
    const valueOf = (name: string) => {
      let v = values.get(name);
      if (!v) values.set(name, (v = folded.get(name)!.dataSync() as Float32Array));
      return v;
    };
    const programFor = (batch: number) => {
      let p = programs.get(batch);
      if (!p) {
        const ctx = newTrace(false, model.model.spec.activation, model.foldedPairs);
        const input = traceValue(ctx, [batch, height, width, 3]);
        const out = runNetwork(new TraceOps(ctx), input, model.model.plan, output);
        p = buildProgram(k, ctx.nodes, ctx.masks, input, out, {
          training: false,
          bnEpsilon: model.model.spec.bnEpsilon,
          weight(name) {
            const t = folded.get(name);
            if (!t) throw new EffnetError('MISSING_WEIGHT', `the model has no weight "${name}"`);
            return { shape: t.shape, trainable: false };
          },
        });
        programs.set(batch, p);
      }
      return p;
    };
    // Fail now (GRAPH_UNSUPPORTED) rather than at the first batch.
    programFor(1);
    return {
      predict(x: tf.Tensor4D): tf.Tensor {
        const p = programFor(x.shape[0]);
        // The weights are still in the arena when this program ran last (programs share it).
        if (k.claim(p)) for (const w of p.weights) write(k, w.buffer.offset, valueOf(w.name));
        write(k, p.input.offset, x.dataSync() as Float32Array);
        runProgram(p);
        return tf.tensor(
          read(
            k,
            p.output.offset,
            p.outputShape.reduce((a, b) => a * b, 1)
          ),
          p.outputShape,
          'float32'
        );
      },
      dispose() {
        for (const p of programs.values()) if (k.lastRun === p) k.lastRun = undefined;
        programs.clear();
        values.clear();
      },
    };
  },

  trainingPass(model: EffNetModel, x: tf.Tensor4D, labels: tf.Tensor2D, settings: TrainingPassSettings): TrainingPass {
    return compiledTrainingPass(model, x, labels, settings);
  },

  residentTraining(model: EffNetModel, config: ResidentTrainingConfig): ResidentTraining {
    return new WasmResidentTraining(model, config);
  },
};

/**
 * One training pass through the compiled engine (what {@link wasmGraphCompiler} runs). With
 * `timings`, adds the milliseconds of each kind of kernel call (a profile of the step).
 */
export function compiledTrainingPass(model: EffNetModel, x: tf.Tensor4D, labels: tf.Tensor2D, settings: TrainingPassSettings, timings?: Map<string, number>): TrainingPass {
  const [batch, height, width] = x.shape;
  const p = cachedTraining(model, batch, height, width, settings);
  const k = p.kernels;
  k.ensure(p.arenaEnd);
  k.claim(p);
  write(k, p.input.offset, x.dataSync() as Float32Array);
  write(k, p.labels!.offset, labels.dataSync() as Float32Array);
  for (const w of p.weights) write(k, w.buffer.offset, model.weights.get(w.name)!.dataSync() as Float32Array);
  drawMasks(model, p, settings);
  runProgram(p, timings);
  const logits = tf.tensor2d(read(k, p.output.offset, p.outputShape[0]! * p.outputShape[1]!), p.outputShape as [number, number]);
  const grads: Record<string, tf.Tensor> = {};
  for (const w of p.weights) if (w.grad) grads[model.weights.get(w.name)!.name] = tf.tensor(read(k, w.grad.offset, w.grad.floats), w.shape, 'float32');
  if (settings.updateStatistics) {
    for (const s of p.statistics) {
      const correction = s.count / Math.max(s.count - 1, 1);
      moveStatisticsOnHost(model, s.layer, read(k, s.mean.offset, s.channels), read(k, s.variance.offset, s.channels).map((v) => v * correction));
    }
  }
  return { loss: tf.scalar(k.f32(p.loss!.offset, 1)[0]!), logits, grads };
}
