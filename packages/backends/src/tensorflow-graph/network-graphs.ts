import { EffnetError, planNetwork, runNetwork, type EffNetModel, type InferenceModel, type NetworkOutput } from '@effnet/core';
import { GraphBuilder, type GraphSignature, type GraphTensor } from './graph-def.js';
import { GraphOps, type BatchNormStatistics, type GraphContext, type MaskInput } from './graph-ops.js';
import { GraphTape } from './graph-tape.js';

/** A graph with the signature a session runs it by. */
export interface NetworkGraph {
  graph: GraphBuilder;
  signature: GraphSignature;
}

/**
 * The inference graph of a folded model for `height` x `width` inputs and any batch size:
 * input `images`, output `output`; the weights are constants, so TensorFlow can prepare them once.
 * `fuseActivations` writes convolution + bias + SiLU as single oneDNN nodes (see {@link GraphContext}).
 */
export function inferenceGraph(model: InferenceModel, height: number, width: number, output: NetworkOutput, options: { fuseActivations?: boolean } = {}): NetworkGraph {
  const graph = new GraphBuilder();
  const constants = new Map<string, GraphTensor>();
  const ctx: GraphContext = {
    graph,
    weight(layer, name) {
      const key = `${layer}/${name}`;
      let node = constants.get(key);
      if (!node) {
        const t = model.foldedWeights.get(key);
        if (!t) throw new EffnetError('MISSING_WEIGHT', `the model has no weight "${key}"`);
        node = graph.constant(key, t.dataSync() as Float32Array, t.shape);
        constants.set(key, node);
      }
      return node;
    },
    activation: model.model.spec.activation,
    bnEpsilon: model.model.spec.bnEpsilon,
    folded: model.foldedPairs,
    fuseActivations: options.fuseActivations ?? false,
    masks: [],
    statistics: [],
  };
  const images = graph.placeholder('images', [-1, height, width, 3]);
  const y = runNetwork(new GraphOps(ctx), images, model.model.plan, output);
  const out = graph.node1('Identity', 'output', [y], { T: { type: 'float32' } }, y.shape);
  return { graph, signature: { inputs: { images }, outputs: { output: out } } };
}

/**
 * Where a training graph takes a weight from (default: a placeholder fed at each run); resident
 * training graphs read them from variables instead.
 */
export type WeightSource = (graph: GraphBuilder, decl: { name: string; shape: readonly number[]; trainable: boolean }) => GraphTensor;

/** A training graph and what its caller feeds and reads. */
export interface TrainingGraph extends NetworkGraph {
  /** Weights fed at each run (signature key `w:<name>`), in the order the graph asked for them. */
  weightInputs: string[];
  /** Trainable weights whose gradients it outputs (signature key `grad:<name>`). */
  gradientOutputs: string[];
  /** Random masks to feed (signature key `mask:<i>`), in the eager pass's order. */
  masks: MaskInput[];
  /** BatchNorm batch statistics it outputs (`mean:<layer>`, `variance:<layer>`). */
  statistics: BatchNormStatistics[];
}

/**
 * The training graph of a model for `height` x `width` inputs and any batch size: forward pass in
 * training mode, mean softmax cross-entropy against soft labels, and the backward pass to every
 * trainable weight. Inputs: `images`, `labels`, the weights and the random masks; outputs: `loss`,
 * `logits`, one gradient per trainable weight and the BatchNorm batch statistics.
 */
export function trainingGraph(
  model: EffNetModel,
  height: number,
  width: number,
  dropout: number,
  dropPathRate: number,
  weightSource?: WeightSource,
): TrainingGraph {
  const graph = new GraphBuilder();
  const tape = new GraphTape(graph);
  const fed = new Map<string, GraphTensor>();
  const ctx: GraphContext = {
    graph,
    tape,
    weight(layer, name) {
      const key = `${layer}/${name}`;
      let node = fed.get(key);
      if (!node) {
        const decl = model.weightDecls.find((d) => d.name === key);
        if (!decl) throw new EffnetError('MISSING_WEIGHT', `the model has no weight "${key}"`);
        node = weightSource ? weightSource(graph, decl) : graph.placeholder(`weights/${key}`, decl.shape);
        if (decl.trainable) tape.watch(node);
        fed.set(key, node);
      }
      return node;
    },
    activation: model.spec.activation,
    bnEpsilon: model.spec.bnEpsilon,
    masks: [],
    statistics: [],
  };
  const spec = { ...model.spec, dropout, dropPathRate };
  const plan = dropPathRate === model.spec.dropPathRate ? { ...model.plan, spec } : planNetwork(spec);
  const images = graph.placeholder('images', [-1, height, width, 3]);
  const logits = runNetwork(new GraphOps(ctx), images, plan, 'logits');
  const classes = logits.shape[1]!;
  const labels = graph.placeholder('labels', [-1, classes]);
  const F32 = { type: 'float32' as const };
  const I32 = { type: 'int32' as const };
  const [perExample, backprop] = graph.node('SoftmaxCrossEntropyWithLogits', 'loss/cross_entropy', [logits, labels], { T: F32 }, [
    { shape: [-1], dtype: 'float32' },
    { shape: [-1, classes], dtype: 'float32' },
  ]) as [GraphTensor, GraphTensor];
  const loss = graph.node1('Mean', 'loss', [perExample, graph.constant('loss/axes', [0], [1], 'int32')], { T: F32, Tidx: I32, keep_dims: { bool: false } }, []);
  const count = graph.node1('Cast', 'loss/count', [graph.node1('Size', 'loss/size', [perExample], { T: F32, out_type: I32 }, [], 'int32')], { SrcT: I32, DstT: F32, Truncate: { bool: false } }, []);
  const seed = graph.node1('RealDiv', 'loss/grad', [backprop, count], { T: F32 }, backprop.shape);
  const trainable = [...fed.entries()].filter(([, t]) => tape.isTracked(t));
  const grads = tape.gradients(logits, seed, trainable.map(([, t]) => t));
  const outputs: Record<string, GraphTensor> = { loss, logits: graph.node1('Identity', 'logits', [logits], { T: F32 }, logits.shape) };
  trainable.forEach(([name, t], i) => {
    const g = grads[i] ?? graph.constant(`${name}/zero_grad`, new Float32Array(t.shape.reduce((a, b) => a * b, 1)), t.shape);
    outputs[`grad:${name}`] = graph.node1('Identity', `gradients/${name}`, [g], { T: F32 }, t.shape);
  });
  for (const s of ctx.statistics) {
    outputs[`mean:${s.layer}`] = s.mean;
    outputs[`variance:${s.layer}`] = s.variance;
  }
  const inputs: Record<string, GraphTensor> = { images, labels };
  if (!weightSource) for (const [name, t] of fed) inputs[`w:${name}`] = t;
  ctx.masks.forEach((m, i) => (inputs[`mask:${i}`] = m.placeholder));
  return {
    graph,
    signature: { inputs, outputs },
    weightInputs: [...fed.keys()],
    gradientOutputs: trainable.map(([name]) => name),
    masks: ctx.masks,
    statistics: ctx.statistics,
  };
}
