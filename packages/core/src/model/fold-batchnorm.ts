import * as tf from '@tensorflow/tfjs-core';
import type { ActivationName } from '../spec/architecture.js';
import type { EffNetModel } from './effnet-model.js';
import type { ConvOptions, DepthwiseOptions, HeadOps } from './layer-ops.js';
import { runNetwork, type NetworkOutput } from './network-plan.js';
import { TensorOps } from './tensor-ops.js';
import { explainEagerFallback, isGraphUnsupported, resolveEngine, type CompiledInference, type ComputeEngine } from './graph-compiler.js';

interface TraceValue {
  shape: number[];
  /** The conv layer that produced it, when it comes straight from one. */
  conv?: string;
  uses: number;
}

/**
 * Walks the network once on shapes and returns the BatchNorm layers that directly and solely
 * follow a convolution: conv layer -> BatchNorm layer. These pairs fold into one convolution.
 */
export function convBatchNormPairs(model: EffNetModel): Map<string, string> {
  const values: TraceValue[] = [];
  const bnOf: [string, TraceValue][] = [];
  const make = (shape: number[], conv?: string): TraceValue => {
    const v: TraceValue = conv ? { shape, conv, uses: 0 } : { shape, uses: 0 };
    values.push(v);
    return v;
  };
  const use = (...vs: TraceValue[]) => vs.forEach((v) => v.uses++);
  class Tracer implements HeadOps<TraceValue> {
    constructor(private readonly prefix = '') {}
    private full(n: string) {
      return this.prefix ? `${this.prefix}/${n}` : n;
    }
    channels(x: TraceValue) {
      return x.shape[x.shape.length - 1]!;
    }
    conv2d(name: string, x: TraceValue, o: ConvOptions) {
      use(x);
      return make([x.shape[0]!, 1, 1, o.filters], this.full(name));
    }
    depthwiseConv2d(name: string, x: TraceValue, _o: DepthwiseOptions) {
      use(x);
      return make([...x.shape], this.full(name));
    }
    batchNorm(name: string, x: TraceValue) {
      use(x);
      bnOf.push([this.full(name), x]);
      return make([...x.shape]);
    }
    batchNormActivate(name: string, x: TraceValue) {
      return this.activate(this.batchNorm(name, x));
    }
    activate(x: TraceValue, _k?: ActivationName) {
      use(x);
      return make([...x.shape]);
    }
    sigmoid(x: TraceValue) {
      use(x);
      return make([...x.shape]);
    }
    spatialMean(x: TraceValue) {
      use(x);
      return make([x.shape[0]!, 1, 1, this.channels(x)]);
    }
    multiply(a: TraceValue, b: TraceValue) {
      use(a, b);
      return make([...a.shape]);
    }
    add(a: TraceValue, b: TraceValue) {
      use(a, b);
      return make([...a.shape]);
    }
    dropPath(x: TraceValue) {
      use(x);
      return make([...x.shape]);
    }
    globalPool(x: TraceValue) {
      use(x);
      return make([x.shape[0]!, this.channels(x)]);
    }
    dropout(x: TraceValue) {
      use(x);
      return make([...x.shape]);
    }
    dense(_name: string, x: TraceValue, units: number) {
      use(x);
      return make([x.shape[0]!, units]);
    }
    scope(prefix: string) {
      return new Tracer(this.full(prefix));
    }
  }
  runNetwork(new Tracer(), make([1, 32, 32, 3]), model.plan);
  const pairs = new Map<string, string>();
  for (const [bn, input] of bnOf) if (input.conv && input.uses === 1) pairs.set(input.conv, bn);
  return pairs;
}

/**
 * A snapshot of a model for fast inference: every BatchNorm that follows a convolution is folded
 * into it (`w' = w * gamma / sqrt(var + eps)`, `b' = beta - mean * gamma / sqrt(var + eps)`), and
 * the convolutions run as TF.js fused conv + bias ops. Later changes to the model's weights are
 * not seen: make a new one after training.
 */
export class InferenceModel {
  private readonly weights = new Map<string, tf.Tensor>();
  private readonly folded: Map<string, string>;
  private readonly foldedBn: Set<string>;
  private readonly compiled = new Map<string, CompiledInference | Error>();

  /**
   * @param engine `auto` (default) compiles each input size into one graph where the active
   * backend can (tfjs-node), `eager` always runs op by op, `graph` requires a compiled graph.
   */
  constructor(
    readonly model: EffNetModel,
    readonly engine: ComputeEngine = 'auto',
  ) {
    this.folded = convBatchNormPairs(model);
    this.foldedBn = new Set(this.folded.values());
    const eps = model.spec.bnEpsilon;
    tf.tidy(() => {
      for (const [name, v] of model.weights) this.weights.set(name, tf.keep(tf.clone(v)));
      for (const [conv, bn] of this.folded) {
        const gamma = model.weights.get(`${bn}/gamma`)!;
        const scale = tf.div(gamma, tf.sqrt(tf.add(model.weights.get(`${bn}/moving_variance`)!, eps)));
        const kernel = model.weights.get(`${conv}/kernel`)!;
        const depthwise = kernel.shape[3] === 1 && model.weightDecls.find((d) => d.name === `${conv}/kernel`)!.kind === 'depthwise_kernel';
        const k = depthwise ? tf.mul(kernel, tf.reshape(scale, [1, 1, -1, 1])) : tf.mul(kernel, scale);
        let bias = tf.sub(model.weights.get(`${bn}/beta`)!, tf.mul(model.weights.get(`${bn}/moving_mean`)!, scale));
        const convBias = model.weights.get(`${conv}/bias`);
        if (convBias) bias = tf.add(bias, tf.mul(convBias, scale));
        this.weights.get(`${conv}/kernel`)!.dispose();
        this.weights.set(`${conv}/kernel`, tf.keep(k));
        this.weights.get(`${conv}/bias`)?.dispose();
        this.weights.set(`${conv}/bias`, tf.keep(bias));
      }
    });
  }

  /** Convolutions whose BatchNorm was folded in. */
  get foldedCount(): number {
    return this.folded.size;
  }

  /** The snapshot's weights by name: folded convolutions' kernels and biases, the rest as in the model. */
  get foldedWeights(): ReadonlyMap<string, tf.Tensor> {
    return this.weights;
  }

  /** Convolution layer -> the BatchNorm layer folded into it. */
  get foldedPairs(): ReadonlyMap<string, string> {
    return this.folded;
  }

  /** Inference logits (or `output`), tidied. */
  predict(x: tf.Tensor, output: NetworkOutput = 'logits'): tf.Tensor2D {
    this.model.checkInput(x);
    const compiler = resolveEngine(this.engine, tf.getBackend());
    if (compiler) {
      const key = `${x.shape[1]}x${x.shape[2]}/${output}`;
      let pass = this.compiled.get(key);
      if (!pass) {
        try {
          pass = compiler.compileInference(this, x.shape[1]!, x.shape[2]!, output);
        } catch (e) {
          if (this.engine === 'graph' || !isGraphUnsupported(e)) throw e;
          explainEagerFallback(compiler.backend, e);
          pass = e as Error;
        }
        this.compiled.set(key, pass);
      }
      if (!(pass instanceof Error)) return tf.tidy(() => pass.predict(x as tf.Tensor4D)) as tf.Tensor2D;
    }
    return tf.tidy(() => runNetwork(new FoldedOps(this.weights, this.folded, this.foldedBn, this.model), x, this.model.plan, output)) as tf.Tensor2D;
  }

  /** Frees the folded weights (not the model's). */
  dispose(): void {
    for (const pass of this.compiled.values()) if (!(pass instanceof Error)) pass.dispose();
    this.compiled.clear();
    tf.dispose([...this.weights.values()]);
    this.weights.clear();
  }
}

class FoldedOps extends TensorOps {
  constructor(
    private readonly w: Map<string, tf.Tensor>,
    private readonly folded: Map<string, string>,
    private readonly foldedBn: Set<string>,
    model: EffNetModel,
    private readonly prefixPath = '',
  ) {
    super(
      {
        weights: w,
        training: false,
        updateStatistics: false,
        activation: model.spec.activation,
        bnEpsilon: model.spec.bnEpsilon,
        bnMomentum: model.spec.bnMomentum,
        nextSeed: () => 0,
      },
      prefixPath,
    );
    this.model = model;
  }

  private readonly model: EffNetModel;

  private path(name: string): string {
    return this.prefixPath ? `${this.prefixPath}/${name}` : name;
  }

  override conv2d(name: string, x: tf.Tensor, o: ConvOptions): tf.Tensor {
    const layer = this.path(name);
    if (!this.folded.has(layer)) return super.conv2d(name, x, o);
    return tf.fused.conv2d({ x: x as tf.Tensor4D, filter: this.w.get(`${layer}/kernel`) as tf.Tensor4D, strides: o.stride ?? 1, pad: 'same', bias: this.w.get(`${layer}/bias`)! });
  }

  override depthwiseConv2d(name: string, x: tf.Tensor, o: DepthwiseOptions): tf.Tensor {
    const layer = this.path(name);
    if (!this.folded.has(layer)) return super.depthwiseConv2d(name, x, o);
    return tf.fused.depthwiseConv2d({ x: x as tf.Tensor4D, filter: this.w.get(`${layer}/kernel`) as tf.Tensor4D, strides: o.stride ?? 1, pad: 'same', bias: this.w.get(`${layer}/bias`)! });
  }

  override batchNorm(name: string, x: tf.Tensor): tf.Tensor {
    return this.foldedBn.has(this.path(name)) ? x : super.batchNorm(name, x);
  }

  override batchNormActivate(name: string, x: tf.Tensor, kind?: ActivationName): tf.Tensor {
    return this.activate(this.batchNorm(name, x), kind);
  }

  override scope(prefix: string): FoldedOps {
    return new FoldedOps(this.w, this.folded, this.foldedBn, this.model, this.path(prefix));
  }
}
