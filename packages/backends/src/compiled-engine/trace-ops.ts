import { EffnetError, sameOutputSize, type ActivationName, type ConvOptions, type DepthwiseOptions, type HeadOps } from '@effnet/core';

/** A value of a traced network: an NHWC activation ([batch, height, width, channels]) or [batch, features]. */
export interface TraceValue {
  readonly id: number;
  readonly shape: readonly number[];
}

/** What a convolution node holds (regular or depthwise): a bias when it has one or BatchNorm was folded in. */
export interface ConvolutionNode {
  layer: string;
  x: TraceValue;
  y: TraceValue;
  kernel: number;
  stride: number;
  bias: boolean;
}

/** One operation of a traced network, in the order the forward pass runs them. */
export type TraceNode =
  | ({ op: 'conv' } & ConvolutionNode)
  | ({ op: 'depthwise' } & ConvolutionNode)
  | {
      op: 'batchnorm';
      layer: string;
      x: TraceValue;
      y: TraceValue;
      activation: ActivationName | 'sigmoid';
    }
  | {
      op: 'activate';
      x: TraceValue;
      y: TraceValue;
      activation: ActivationName | 'sigmoid';
    }
  | { op: 'mean'; x: TraceValue; y: TraceValue }
  | { op: 'gate'; x: TraceValue; gate: TraceValue; y: TraceValue }
  | { op: 'mul'; a: TraceValue; b: TraceValue; y: TraceValue }
  | { op: 'add'; a: TraceValue; b: TraceValue; y: TraceValue }
  | {
      op: 'drop-path';
      x: TraceValue;
      y: TraceValue;
      survival: number;
      mask: number;
    }
  | { op: 'dropout'; x: TraceValue; y: TraceValue; rate: number; mask: number }
  | { op: 'dense'; layer: string; x: TraceValue; y: TraceValue; units: number };

/** A random mask a training pass draws, in the order the eager pass draws them. */
export interface TraceMask {
  kind: 'drop-path' | 'dropout';
  /** drop-path: the survival probability; dropout: the drop rate. */
  rate: number;
  shape: number[];
}

/** What a trace records besides its nodes. */
export interface TraceContext {
  /** Training mode: batch statistics, masks. Inference: moving statistics, no masks. */
  training: boolean;
  activation: ActivationName;
  /** Inference with BatchNorm folded in: conv layer -> its BatchNorm layer. */
  folded?: ReadonlyMap<string, string>;
  nodes: TraceNode[];
  masks: TraceMask[];
  nextId: number;
}

/** A new, empty trace context. */
export function newTrace(training: boolean, activation: ActivationName, folded?: ReadonlyMap<string, string>): TraceContext {
  return {
    training,
    activation,
    ...(folded ? { folded } : {}),
    nodes: [],
    masks: [],
    nextId: 0,
  };
}

/** A fresh value of the trace. */
export function traceValue(ctx: TraceContext, shape: readonly number[]): TraceValue {
  return { id: ctx.nextId++, shape: [...shape] };
}

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * {@link HeadOps} that record the network as a list of nodes instead of computing it: the same
 * block code the eager path runs becomes a static program for the compiled engine.
 */
export class TraceOps implements HeadOps<TraceValue> {
  private readonly foldedBatchNorms: ReadonlySet<string>;

  constructor(private readonly ctx: TraceContext, private readonly prefix = '') {
    this.foldedBatchNorms = new Set(ctx.folded?.values() ?? []);
  }

  private full(name: string): string {
    return this.prefix ? `${this.prefix}/${name}` : name;
  }

  private emit<N extends TraceNode>(node: N): TraceValue {
    this.ctx.nodes.push(node);
    return node.y;
  }

  private value(shape: readonly number[]): TraceValue {
    return traceValue(this.ctx, shape);
  }

  channels(x: TraceValue): number {
    return x.shape[x.shape.length - 1]!;
  }

  conv2d(name: string, x: TraceValue, o: ConvOptions): TraceValue {
    const layer = this.full(name);
    const stride = o.stride ?? 1;
    const [b, h, w] = x.shape as [number, number, number, number];
    const y = this.value([b, sameOutputSize(h, stride), sameOutputSize(w, stride), o.filters]);
    return this.emit({
      op: 'conv',
      layer,
      x,
      y,
      kernel: o.kernel,
      stride,
      bias: (o.bias ?? false) || (this.ctx.folded?.has(layer) ?? false),
    });
  }

  depthwiseConv2d(name: string, x: TraceValue, o: DepthwiseOptions): TraceValue {
    const layer = this.full(name);
    const stride = o.stride ?? 1;
    const [b, h, w, c] = x.shape as [number, number, number, number];
    const y = this.value([b, sameOutputSize(h, stride), sameOutputSize(w, stride), c]);
    return this.emit({
      op: 'depthwise',
      layer,
      x,
      y,
      kernel: o.kernel,
      stride,
      bias: this.ctx.folded?.has(layer) ?? false,
    });
  }

  batchNorm(name: string, x: TraceValue): TraceValue {
    return this.batchNormActivate(name, x, 'linear');
  }

  batchNormActivate(name: string, x: TraceValue, kind?: ActivationName): TraceValue {
    const layer = this.full(name);
    const activation = kind ?? this.ctx.activation;
    if (this.foldedBatchNorms.has(layer)) return this.activate(x, activation);
    return this.emit({
      op: 'batchnorm',
      layer,
      x,
      y: this.value(x.shape),
      activation,
    });
  }

  activate(x: TraceValue, kind?: ActivationName): TraceValue {
    const activation = kind ?? this.ctx.activation;
    if (activation === 'linear') return x;
    return this.emit({ op: 'activate', x, y: this.value(x.shape), activation });
  }

  sigmoid(x: TraceValue): TraceValue {
    return this.emit({
      op: 'activate',
      x,
      y: this.value(x.shape),
      activation: 'sigmoid',
    });
  }

  spatialMean(x: TraceValue): TraceValue {
    if (x.shape.length !== 4) throw new EffnetError('GRAPH_UNSUPPORTED', `spatialMean of a rank-${x.shape.length} value`);
    return this.emit({
      op: 'mean',
      x,
      y: this.value([x.shape[0]!, 1, 1, x.shape[3]!]),
    });
  }

  multiply(a: TraceValue, b: TraceValue): TraceValue {
    if (same(a.shape, b.shape)) return this.emit({ op: 'mul', a, b, y: this.value(a.shape) });
    const isGate = (x: TraceValue, g: TraceValue) => x.shape.length === 4 && same(g.shape, [x.shape[0]!, 1, 1, x.shape[3]!]);
    if (isGate(a, b)) return this.emit({ op: 'gate', x: a, gate: b, y: this.value(a.shape) });
    if (isGate(b, a)) return this.emit({ op: 'gate', x: b, gate: a, y: this.value(b.shape) });
    throw new EffnetError('GRAPH_UNSUPPORTED', `the compiled engine multiplies equal shapes or a [B,1,1,C] gate, not [${a.shape}] by [${b.shape}]`);
  }

  add(a: TraceValue, b: TraceValue): TraceValue {
    if (!same(a.shape, b.shape)) throw new EffnetError('GRAPH_UNSUPPORTED', `the compiled engine adds equal shapes, not [${a.shape}] and [${b.shape}]`);
    return this.emit({ op: 'add', a, b, y: this.value(a.shape) });
  }

  dropPath(x: TraceValue, survivalProb: number): TraceValue {
    if (!this.ctx.training || survivalProb >= 1) return x;
    this.ctx.masks.push({
      kind: 'drop-path',
      rate: survivalProb,
      shape: [x.shape[0]!, ...x.shape.slice(1).map(() => 1)],
    });
    return this.emit({
      op: 'drop-path',
      x,
      y: this.value(x.shape),
      survival: survivalProb,
      mask: this.ctx.masks.length - 1,
    });
  }

  block(run: () => TraceValue): TraceValue {
    return run();
  }

  globalPool(x: TraceValue): TraceValue {
    if (x.shape.length !== 4) throw new EffnetError('GRAPH_UNSUPPORTED', `globalPool of a rank-${x.shape.length} value`);
    return this.emit({
      op: 'mean',
      x,
      y: this.value([x.shape[0]!, x.shape[3]!]),
    });
  }

  dropout(x: TraceValue, rate: number): TraceValue {
    if (!this.ctx.training || rate <= 0) return x;
    this.ctx.masks.push({ kind: 'dropout', rate, shape: [...x.shape] });
    return this.emit({
      op: 'dropout',
      x,
      y: this.value(x.shape),
      rate,
      mask: this.ctx.masks.length - 1,
    });
  }

  dense(name: string, x: TraceValue, units: number): TraceValue {
    if (x.shape.length !== 2) throw new EffnetError('GRAPH_UNSUPPORTED', `dense on a rank-${x.shape.length} value`);
    return this.emit({
      op: 'dense',
      layer: this.full(name),
      x,
      y: this.value([x.shape[0]!, units]),
      units,
    });
  }

  scope(prefix: string): TraceOps {
    return new TraceOps(this.ctx, this.full(prefix));
  }
}
