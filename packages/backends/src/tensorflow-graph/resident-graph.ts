import { EffnetError, type EffNetModel, type ResidentTrainingConfig } from '@effnet/core';
import type { GraphBuilder, GraphTensor } from './graph-def.js';
import type { MaskInput } from './graph-ops.js';
import { trainingGraph, type NetworkGraph } from './network-graphs.js';

const F32 = { type: 'float32' as const };
const I32 = { type: 'int32' as const };

/** The flat vectors a resident training graph keeps in TensorFlow variables. */
export const RESIDENT_SLOTS: Record<ResidentTrainingConfig['optimizer']['type'], readonly string[]> = {
  rmsprop: ['ms', 'mom'],
  sgd: ['velocity'],
  adamw: ['m', 'v'],
};

/** A resident training graph and the random masks its step feeds. */
export interface ResidentGraph extends NetworkGraph {
  masks: MaskInput[];
  /** Names of the state vectors (`weights`, `statistics`, `slot:<name>`, `ema`, `emaStatistics`) with their lengths. */
  vectors: Map<string, number>;
}

/** Small helpers that write the elementwise nodes of the update. */
class Nodes {
  private n = 0;
  constructor(private readonly g: GraphBuilder) {}

  private name(base: string): string {
    return `update/${base}_${this.n++}`;
  }

  scalar(value: number): GraphTensor {
    return this.g.constant(this.name('c'), [value], []);
  }

  ints(values: readonly number[]): GraphTensor {
    return this.g.constant(this.name('i'), values, [values.length], 'int32');
  }

  binary(op: 'AddV2' | 'Sub' | 'Mul' | 'RealDiv', a: GraphTensor, b: GraphTensor | number): GraphTensor {
    const bb = typeof b === 'number' ? this.scalar(b) : b;
    return this.g.node1(op, this.name(op), [a, bb], { T: F32 }, a.shape.length >= bb.shape.length ? a.shape : bb.shape);
  }

  unary(op: 'Square' | 'Sqrt', a: GraphTensor): GraphTensor {
    return this.g.node1(op, this.name(op), [a], { T: F32 }, a.shape);
  }

  /** `a * x + b * y` in the order the eager trainer computes it. */
  mix(x: GraphTensor, a: number | GraphTensor, y: GraphTensor, b: number | GraphTensor): GraphTensor {
    return this.binary('AddV2', this.binary('Mul', x, a), this.binary('Mul', y, b));
  }

  sum(x: GraphTensor): GraphTensor {
    return this.g.node1('Sum', this.name('sum'), [x, this.ints([0])], { T: F32, Tidx: I32, keep_dims: { bool: false } }, []);
  }

  flat(x: GraphTensor, size: number): GraphTensor {
    return this.g.node1('Reshape', this.name('flat'), [x, this.ints([size])], { T: F32, Tshape: I32 }, [size]);
  }

  concat(parts: GraphTensor[], size: number): GraphTensor {
    if (parts.length === 1) return parts[0]!;
    return this.g.node1('ConcatV2', this.name('concat'), [...parts, this.g.constant(this.name('axis'), [0], [], 'int32')], { N: { int: parts.length }, T: F32, Tidx: I32 }, [size]);
  }

  /** `cond ? a : b` for a scalar boolean `cond`. */
  select(cond: GraphTensor, a: GraphTensor, b: GraphTensor): GraphTensor {
    return this.g.node1('SelectV2', this.name('select'), [cond, a, b], { T: F32 }, a.shape);
  }

  finite(x: GraphTensor): GraphTensor {
    return this.g.node1('IsFinite', this.name('finite'), [x], { T: F32 }, x.shape, 'bool');
  }
}

/**
 * The training graph of a model with its state in variables: the trainable weights, the BatchNorm
 * moving statistics, the optimizer slots and the EMA are flat float32 vectors in TensorFlow
 * resource variables. Entry points (fetch keys):
 * - `result` (feeds `images`, `labels`, the masks, `lr`, and where used `stepSize` (AdamW's
 *   bias-corrected rate), `decayRate` (AdamW's lr x weight decay), `emaDecay` and `emaRest`
 *   (1 - decay, computed in double precision as the eager trainer does)): one training
 *   step, forward, backward, weight decay, the optimizer, the EMA and the moving statistics, all
 *   applied only when the loss and the gradient are finite; returns [loss, correct, |g|², applied];
 * - `loaded` (feeds `load:<vector>` for every vector): sets the state;
 * - `state:<vector>`: reads it.
 */
export function residentGraph(
  model: EffNetModel,
  height: number,
  width: number,
  pass: { dropout: number; dropPathRate: number; updateStatistics: boolean },
  config: ResidentTrainingConfig,
): ResidentGraph {
  const trainable = model.weightDecls.filter((d) => d.trainable);
  const frozen = model.weightDecls.filter((d) => !d.trainable);
  const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
  const offsets = new Map<string, { offset: number; size: number; vector: 'weights' | 'statistics' }>();
  let total = 0;
  for (const d of trainable) {
    offsets.set(d.name, { offset: total, size: sizeOf(d.shape), vector: 'weights' });
    total += sizeOf(d.shape);
  }
  let frozenTotal = 0;
  for (const d of frozen) {
    offsets.set(d.name, { offset: frozenTotal, size: sizeOf(d.shape), vector: 'statistics' });
    frozenTotal += sizeOf(d.shape);
  }
  if (config.decayMask.length !== total) throw new EffnetError('BAD_ARGUMENT', 'the weight-decay mask does not cover the trainable weights', { field: 'decayMask', expected: total, actual: config.decayMask.length });
  const vectors = new Map<string, number>([['weights', total], ['statistics', frozenTotal]]);
  for (const slot of RESIDENT_SLOTS[config.optimizer.type]) vectors.set(`slot:${slot}`, total);
  if (config.ema) vectors.set('ema', total).set('emaStatistics', frozenTotal);

  // Variables are created with the first weight the network asks for (the graph exists then).
  const id = Math.random().toString(36).slice(2, 10);
  let handles: Map<string, GraphTensor> | undefined;
  const reads = new Map<string, GraphTensor>();
  let nodes: Nodes | undefined;
  const variables = (g: GraphBuilder) => {
    if (!handles) {
      handles = new Map();
      nodes = new Nodes(g);
      for (const [name, size] of vectors) {
        const h = g.node1('VarHandleOp', `state/${name}`, [], { container: { string: '' }, shared_name: { string: `effnet_${id}_${name}` }, dtype: F32, shape: { shape: [size] } }, [], 'resource');
        handles.set(name, h);
      }
    }
    return handles;
  };
  const readOf = (g: GraphBuilder, name: string) => {
    let r = reads.get(name);
    if (!r) {
      r = g.node1('ReadVariableOp', `step/read_${name}`, [variables(g).get(name)!], { dtype: F32 }, [vectors.get(name)!]);
      reads.set(name, r);
    }
    return r;
  };

  const built = trainingGraph(model, height, width, pass.dropout, pass.dropPathRate, (g, decl) => {
    const at = offsets.get(decl.name)!;
    const source = readOf(g, at.vector);
    const part = g.node1('Slice', `weights/${decl.name}/slice`, [source, g.constant(`weights/${decl.name}/begin`, [at.offset], [1], 'int32'), g.constant(`weights/${decl.name}/size`, [at.size], [1], 'int32')], { T: F32, Index: I32 }, [at.size]);
    return g.node1('Reshape', `weights/${decl.name}`, [part, g.constant(`weights/${decl.name}/shape`, decl.shape, [decl.shape.length], 'int32')], { T: F32, Tshape: I32 }, decl.shape);
  });
  const { graph } = built;
  const h = variables(graph);
  const u = nodes!;
  const out = built.signature.outputs;

  // Flat gradient in the order of the trainable weights (zeros for weights the pass does not use).
  const gradient = u.concat(
    trainable.map((d) => {
      const g = out[`grad:${d.name}`];
      const size = sizeOf(d.shape);
      return g ? u.flat(g, size) : graph.constant(`update/zero/${d.name}`, new Float32Array(size), [size]);
    }),
    total,
  );
  const loss = out.loss!;
  const labels = built.signature.inputs.labels!;
  const argmax = (t: GraphTensor, name: string) => graph.node1('ArgMax', `update/${name}_argmax`, [t, graph.constant(`update/${name}_axis`, [1], [], 'int32')], { T: F32, Tidx: I32, output_type: I32 }, [-1], 'int32');
  const hits = graph.node1('Equal', 'update/hits', [argmax(out.logits!, 'logits'), argmax(labels, 'labels')], { T: I32, incompatible_shape_error: { bool: true } }, [-1], 'bool');
  const correct = u.sum(graph.node1('Cast', 'update/hits_float', [hits], { SrcT: { type: 'bool' }, DstT: F32, Truncate: { bool: false } }, [-1]));
  const norm2 = u.sum(u.unary('Square', gradient));
  const ok = graph.node1('LogicalAnd', 'update/ok', [u.finite(loss), u.finite(norm2)], {}, [], 'bool');

  const lr = graph.placeholder('lr', []);
  const weights = readOf(graph, 'weights');
  const mask = graph.constant('update/decay_mask', config.decayMask, [total]);
  const wd = config.weightDecay;
  const next = new Map<string, GraphTensor>();
  const o = config.optimizer;
  let g = gradient;
  if (wd > 0 && o.type !== 'adamw') g = u.binary('AddV2', g, u.binary('Mul', u.binary('Mul', weights, mask), wd));
  const inputs: Record<string, GraphTensor> = { ...built.signature.inputs, lr };
  if (o.type === 'rmsprop') {
    const ms = u.mix(readOf(graph, 'slot:ms'), o.rho, u.unary('Square', g), 1 - o.rho);
    const mom = u.binary('AddV2', u.binary('Mul', readOf(graph, 'slot:mom'), o.momentum), u.binary('Mul', u.binary('RealDiv', g, u.unary('Sqrt', u.binary('AddV2', ms, o.epsilon))), lr));
    next.set('slot:ms', ms).set('slot:mom', mom).set('weights', u.binary('Sub', weights, mom));
  } else if (o.type === 'sgd') {
    const v = u.binary('AddV2', u.binary('Mul', readOf(graph, 'slot:velocity'), o.momentum), g);
    const direction = o.nesterov ? u.binary('AddV2', g, u.binary('Mul', v, o.momentum)) : v;
    next.set('slot:velocity', v).set('weights', u.binary('Sub', weights, u.binary('Mul', direction, lr)));
  } else {
    const stepSize = graph.placeholder('stepSize', []);
    inputs.stepSize = stepSize;
    const m = u.mix(readOf(graph, 'slot:m'), o.beta1, g, 1 - o.beta1);
    const v = u.mix(readOf(graph, 'slot:v'), o.beta2, u.unary('Square', g), 1 - o.beta2);
    let moved = u.binary('Sub', weights, u.binary('Mul', u.binary('RealDiv', m, u.binary('AddV2', u.unary('Sqrt', v), o.epsilon)), stepSize));
    if (wd > 0) {
      const decayRate = graph.placeholder('decayRate', []);
      inputs.decayRate = decayRate;
      moved = u.binary('Sub', moved, u.binary('Mul', weights, u.binary('Mul', mask, decayRate)));
    }
    next.set('slot:m', m).set('slot:v', v).set('weights', moved);
  }
  if (config.ema) {
    const decay = graph.placeholder('emaDecay', []);
    const oneMinus = graph.placeholder('emaRest', []);
    Object.assign(inputs, { emaDecay: decay, emaRest: oneMinus });
    next.set('ema', u.binary('AddV2', u.binary('Mul', readOf(graph, 'ema'), decay), u.binary('Mul', next.get('weights')!, oneMinus)));
  }
  if (pass.updateStatistics && frozen.length > 0) {
    const m = model.spec.bnMomentum;
    const batch = new Map<string, GraphTensor>();
    for (const s of built.statistics) {
      batch.set(`${s.layer}/moving_mean`, s.mean);
      batch.set(`${s.layer}/moving_variance`, s.variance);
    }
    const current = readOf(graph, 'statistics');
    const parts = frozen.map((d) => {
      const at = offsets.get(d.name)!;
      const old = graph.node1('Slice', `update/${d.name}/slice`, [current, u.ints([at.offset]), u.ints([at.size])], { T: F32, Index: I32 }, [at.size]);
      const b = batch.get(d.name);
      return b ? u.mix(old, m, u.flat(b, at.size), 1 - m) : old;
    });
    next.set('statistics', u.concat(parts, frozenTotal));
  }
  if (config.ema && frozen.length > 0) {
    const stats = next.get('statistics') ?? readOf(graph, 'statistics');
    next.set('emaStatistics', u.binary('AddV2', u.binary('Mul', readOf(graph, 'emaStatistics'), inputs.emaDecay!), u.binary('Mul', stats, inputs.emaRest!)));
  }
  const assigns = [...next].map(([name, value]) =>
    graph.action('AssignVariableOp', `update/assign_${name}`, [h.get(name)!, u.select(ok, value, readOf(graph, name))], { dtype: F32 }),
  );
  const okFloat = graph.node1('Cast', 'update/ok_float', [ok], { SrcT: { type: 'bool' }, DstT: F32, Truncate: { bool: false } }, []);
  const packed = graph.node1('Pack', 'update/pack', [loss, correct, norm2, okFloat], { N: { int: 4 }, T: F32, axis: { int: 0 } }, [4]);
  const outputs: Record<string, GraphTensor> = { result: graph.identityAfter('result', packed, assigns) };

  // Load and read entry points.
  const loads = [...vectors].map(([name, size]) => {
    const p = graph.placeholder(`load/${name}`, [size]);
    inputs[`load:${name}`] = p;
    return graph.action('AssignVariableOp', `load/assign_${name}`, [h.get(name)!, p], { dtype: F32 });
  });
  outputs.loaded = graph.identityAfter('loaded', graph.constant('load/done', [1], []), loads);
  for (const name of vectors.keys()) outputs[`state:${name}`] = graph.node1('ReadVariableOp', `state/read_${name}`, [h.get(name)!], { dtype: F32 }, [vectors.get(name)!]);
  return { graph, signature: { inputs, outputs }, masks: built.masks, vectors };
}
