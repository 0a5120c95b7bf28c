import * as tf from '@tensorflow/tfjs-core';
import { EffnetError, isEffnetError, type CompiledInference, type EffNetModel, type GraphCompiler, type InferenceModel, type NetworkOutput, type ResidentTraining, type ResidentTrainingConfig, type TrainingPass, type TrainingPassSettings } from '@effnet/core';
import { moveStatisticsOnHost } from '../moving-statistics.js';
import { inferenceGraph, trainingGraph, type TrainingGraph } from './network-graphs.js';
import { drawMasks } from './draw-masks.js';
import { TensorFlowResidentTraining } from './resident-training.js';
import { TensorFlowSession } from './tensorflow-session.js';

/** A compiled training graph with its session. */
interface CompiledTraining {
  graph: Omit<TrainingGraph, 'graph' | 'signature'>;
  session: TensorFlowSession;
  fetch: string[];
}

/** Compiled training graphs of each model, by input size and regularisation. */
const trainingCache = new WeakMap<EffNetModel, Map<string, CompiledTraining | EffnetError>>();

function compiledTraining(model: EffNetModel, height: number, width: number, s: TrainingPassSettings): CompiledTraining {
  let byKey = trainingCache.get(model);
  if (!byKey) {
    byKey = new Map();
    trainingCache.set(model, byKey);
    const cache = byKey;
    model.onDispose(() => {
      for (const c of cache.values()) if (!(c instanceof Error)) c.session.dispose();
      cache.clear();
    });
  }
  const key = `${height}x${width}|dropout:${s.dropout > 0}|drop-path:${s.dropPathRate}`;
  const hit = byKey.get(key);
  if (hit instanceof Error) throw hit;
  if (hit) return hit;
  try {
    const { graph, signature, ...rest } = trainingGraph(model, height, width, s.dropout, s.dropPathRate);
    const fetch = ['loss', 'logits', ...rest.gradientOutputs.map((n) => `grad:${n}`), ...rest.statistics.flatMap((st) => [`mean:${st.layer}`, `variance:${st.layer}`])];
    const compiled = { graph: rest, session: new TensorFlowSession(graph, signature), fetch };
    byKey.set(key, compiled);
    return compiled;
  } catch (e) {
    if (isEffnetError(e)) byKey.set(key, e);
    throw e;
  }
}

function inferenceSession(model: InferenceModel, height: number, width: number, output: NetworkOutput, fuse: boolean): TensorFlowSession {
  const { graph, signature } = inferenceGraph(model, height, width, output, { fuseActivations: fuse });
  return new TensorFlowSession(graph, signature);
}

/**
 * The inference session with convolution + bias + SiLU fused, when this TensorFlow runs it (x86
 * builds with oneDNN on; not GPU builds, nor with TF_ENABLE_ONEDNN_OPTS=0): tried once on a zero
 * image, undefined when it fails.
 */
function fusedInferenceSession(model: InferenceModel, height: number, width: number, output: NetworkOutput): TensorFlowSession | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
  if (env.TF_ENABLE_ONEDNN_OPTS === '0' || model.model.spec.activation !== 'silu') return undefined;
  let session: TensorFlowSession | undefined;
  try {
    session = inferenceSession(model, height, width, output, true);
    const probe = tf.zeros([1, height, width, 3]);
    try {
      tf.dispose(session.run({ images: probe }, ['output']));
    } finally {
      probe.dispose();
    }
    return session;
  } catch {
    session?.dispose();
    return undefined;
  }
}

/**
 * The graph compiler tfjs-node registers: inference and training passes as single TensorFlow
 * graphs run by the native library in one call (see {@link TensorFlowSession}).
 */
export const tensorflowGraphCompiler: GraphCompiler = {
  backend: 'tensorflow',

  compileInference(model: InferenceModel, height: number, width: number, output: NetworkOutput): CompiledInference {
    const session = fusedInferenceSession(model, height, width, output) ?? inferenceSession(model, height, width, output, false);
    return {
      predict: (x) => session.run({ images: x }, ['output'])[0]!,
      dispose: () => session.dispose(),
    };
  },

  trainingPass(model: EffNetModel, x: tf.Tensor4D, labels: tf.Tensor2D, settings: TrainingPassSettings): TrainingPass {
    const [batch, height, width] = x.shape;
    const compiled = compiledTraining(model, height, width, settings);
    const { graph, session, fetch } = compiled;
    const masks = drawMasks(model, graph.masks, batch, settings.dropout);
    const feeds: Record<string, tf.Tensor> = { images: x, labels };
    for (const name of graph.weightInputs) feeds[`w:${name}`] = model.weights.get(name)!;
    masks.forEach((m, i) => (feeds[`mask:${i}`] = m));
    let outputs: tf.Tensor[];
    try {
      outputs = session.run(feeds, fetch);
    } finally {
      tf.dispose(masks);
    }
    const [loss, logits, ...rest] = outputs as [tf.Scalar, tf.Tensor2D, ...tf.Tensor[]];
    const grads: Record<string, tf.Tensor> = {};
    graph.gradientOutputs.forEach((name, i) => (grads[model.weights.get(name)!.name] = rest[i]!));
    const stats = rest.slice(graph.gradientOutputs.length);
    graph.statistics.forEach((s, i) => {
      if (settings.updateStatistics) moveStatisticsOnHost(model, s.layer, stats[2 * i]!.dataSync(), stats[2 * i + 1]!.dataSync());
    });
    tf.dispose(stats);
    return { loss, logits, grads };
  },
  residentTraining(model: EffNetModel, config: ResidentTrainingConfig): ResidentTraining {
    return new TensorFlowResidentTraining(model, config);
  },
};
