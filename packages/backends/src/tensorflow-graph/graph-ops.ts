import { EffnetError, sameOutputSize, type ActivationName, type ConvOptions, type DepthwiseOptions, type HeadOps } from '@effnet/core';
import type { AttrValue, GraphBuilder, GraphTensor } from './graph-def.js';
import type { BackwardStep, GraphTape } from './graph-tape.js';

/** A random mask the caller feeds at each run, in the order the forward pass asks for them. */
export interface MaskInput {
  kind: 'drop-path' | 'dropout';
  /** drop-path: probability that the block is kept; dropout: the drop rate. */
  rate: number;
  placeholder: GraphTensor;
}

/** The batch statistics a training graph outputs for one BatchNorm layer. */
export interface BatchNormStatistics {
  layer: string;
  mean: GraphTensor;
  /** Unbiased (n / (n - 1)) batch variance, as TensorFlow's fused BatchNorm gives it. */
  variance: GraphTensor;
}

/** What a forward pass written into a graph shares across its layers. */
export interface GraphContext {
  graph: GraphBuilder;
  /** Present in training graphs: records the backward pass. */
  tape?: GraphTape;
  /** The node giving a weight (`layer/name`): a constant in inference graphs, an input in training graphs. */
  weight(layer: string, name: string): GraphTensor;
  activation: ActivationName;
  bnEpsilon: number;
  /** Convolutions whose BatchNorm was folded in (inference): conv layer -> BatchNorm layer. */
  folded?: ReadonlyMap<string, string>;
  /** Random masks asked for so far (training). */
  masks: MaskInput[];
  /** BatchNorm statistics produced so far (training). */
  statistics: BatchNormStatistics[];
  /**
   * Inference: fuse a SiLU that follows a convolution + bias into one `_FusedConv2D` node with
   * oneDNN's Swish (TensorFlow's optimiser fuses ReLU this way but leaves SiLU apart). Only
   * TensorFlow builds with oneDNN on x86 run it; the compiler tries it and falls back.
   */
  fuseActivations?: boolean;
}

/** A convolution + bias an activation may fuse into. */
interface ConvWithBias {
  layer: string;
  inputs: [GraphTensor, GraphTensor, GraphTensor];
  attrs: Record<string, AttrValue>;
}

const F32: AttrValue = { type: 'float32' };
const I32: AttrValue = { type: 'int32' };

/**
 * {@link HeadOps} that write TensorFlow graph nodes instead of computing: the same block code
 * that runs eagerly describes the whole network as one graph. In training graphs every op also
 * records its backward nodes on the tape (convolution and BatchNorm gradients are TensorFlow's
 * own kernels: Conv2DBackpropInput/Filter, DepthwiseConv2dNativeBackpropInput/Filter,
 * FusedBatchNormGradV3).
 */
export class GraphOps implements HeadOps<GraphTensor> {
  /** Bias-add outputs of convolutions, by node name, while an activation may still fuse into them. */
  private readonly fusable: Map<string, ConvWithBias>;

  constructor(
    private readonly ctx: GraphContext,
    private readonly prefix = '',
    fusable?: Map<string, ConvWithBias>,
  ) {
    this.fusable = fusable ?? new Map();
  }

  private get g(): GraphBuilder {
    return this.ctx.graph;
  }

  private get training(): boolean {
    return this.ctx.tape !== undefined;
  }

  private full(name: string): string {
    return this.prefix ? `${this.prefix}/${name}` : name;
  }

  private record(inputs: GraphTensor[], outputs: GraphTensor[], backward: BackwardStep): void {
    this.ctx.tape?.record(inputs, outputs, backward);
  }

  private tracked(t: GraphTensor): boolean {
    return this.ctx.tape?.isTracked(t) ?? false;
  }

  private shapeOf(x: GraphTensor, name: string): GraphTensor {
    return this.g.node1('Shape', `${x.node}/${name}`, [x], { T: F32, out_type: I32 }, [x.shape.length], 'int32');
  }

  private int32(name: string, values: readonly number[]): GraphTensor {
    return this.g.constant(name, values, [values.length], 'int32');
  }

  private scalar(name: string, value: number): GraphTensor {
    return this.g.constant(name, [value], []);
  }

  /** An elementwise op with NumPy broadcasting (shapes aligned at their last dimension). */
  private binary(op: 'Mul' | 'AddV2' | 'RealDiv', name: string, a: GraphTensor, b: GraphTensor): GraphTensor {
    const rank = Math.max(a.shape.length, b.shape.length);
    const dim = (s: readonly number[], i: number) => (i < rank - s.length ? 1 : s[i - (rank - s.length)]!);
    const shape = Array.from({ length: rank }, (_, i) => (dim(a.shape, i) === 1 ? dim(b.shape, i) : dim(a.shape, i)));
    return this.g.node1(op, name, [a, b], { T: F32 }, shape);
  }

  /** Sums a gradient over the axes along which `like` (a scalar, or of the same rank) was broadcast to `grad`'s shape. */
  private unbroadcast(grad: GraphTensor, like: GraphTensor, name: string): GraphTensor {
    if (like.shape.length === 0) return this.g.node1('Sum', `${name}/sum`, [grad, this.int32(`${name}/axes`, grad.shape.map((_, i) => i))], { T: F32, Tidx: I32, keep_dims: { bool: false } }, []);
    const axes = like.shape.map((d, i) => (d === 1 && grad.shape[i] !== 1 ? i : -1)).filter((i) => i >= 0);
    if (axes.length === 0) return grad;
    return this.g.node1('Sum', `${name}/sum`, [grad, this.int32(`${name}/axes`, axes)], { T: F32, Tidx: I32, keep_dims: { bool: true } }, like.shape);
  }

  channels(x: GraphTensor): number {
    return x.shape[x.shape.length - 1]!;
  }

  conv2d(name: string, x: GraphTensor, o: ConvOptions): GraphTensor {
    const layer = this.full(name);
    const stride = o.stride ?? 1;
    const kernel = this.ctx.weight(layer, 'kernel');
    const strides: AttrValue = { ints: [1, stride, stride, 1] };
    const attrs = { T: F32, strides, padding: { string: 'SAME' }, data_format: { string: 'NHWC' }, dilations: { ints: [1, 1, 1, 1] }, use_cudnn_on_gpu: { bool: true } };
    const [b, h, w] = x.shape;
    const shape = [b!, sameOutputSize(h!, stride), sameOutputSize(w!, stride), o.filters];
    const pointwise = this.training && kernel.shape[0] === 1 && kernel.shape[1] === 1 && stride === 1;
    let y = pointwise ? this.pointwiseAsMatMul(layer, x, kernel, shape) : this.g.node1('Conv2D', `${layer}/Conv2D`, [x, kernel], attrs, shape);
    if (!pointwise) this.record([x, kernel], [y], ([dy]) => [
      this.tracked(x) ? this.g.node1('Conv2DBackpropInput', `${layer}/Conv2D_grad_input`, [this.shapeOf(x, 'shape'), kernel, dy!], attrs, x.shape) : undefined,
      this.g.node1('Conv2DBackpropFilter', `${layer}/Conv2D_grad_filter`, [x, this.int32(`${layer}/kernel_shape`, kernel.shape), dy!], attrs, kernel.shape),
    ]);
    const folded = this.ctx.folded?.has(layer) ?? false;
    if (o.bias || folded) {
      const bias = this.ctx.weight(layer, 'bias');
      y = this.biasAdd(layer, y, bias);
      if (!this.training) this.fusable.set(y.node, { layer, inputs: [x, kernel, bias], attrs });
    }
    return y;
  }

  /**
   * A 1x1 convolution of stride 1 in a training graph, as one matrix product over the pixels (and
   * its gradients as two): on the small maps these networks train on, TensorFlow's convolution
   * kernels (oneDNN) cost 1.3-2x a MatMul of the same sizes, forward and backward.
   */
  private pointwiseAsMatMul(layer: string, x: GraphTensor, kernel: GraphTensor, shape: number[]): GraphTensor {
    const [ci, co] = [kernel.shape[2]!, kernel.shape[3]!];
    const reshape = (t: GraphTensor, name: string, to: number[]) => this.g.node1('Reshape', `${layer}/${name}`, [t, this.int32(`${layer}/${name}_shape`, to)], { T: F32, Tshape: I32 }, to);
    const matmul = (a: GraphTensor, b: GraphTensor, name: string, ta: boolean, tb: boolean, out: number[]) =>
      this.g.node1('MatMul', `${layer}/${name}`, [a, b], { T: F32, transpose_a: { bool: ta }, transpose_b: { bool: tb } }, out);
    const rows = reshape(x, 'pixels', [-1, ci]);
    const weights = reshape(kernel, 'matrix', [ci, co]);
    const y = reshape(matmul(rows, weights, 'MatMul', false, false, [-1, co]), 'Conv2D', shape);
    this.record([x, kernel], [y], ([dy]) => {
      const grads = reshape(dy!, 'grad_pixels', [-1, co]);
      return [
        this.tracked(x) ? reshape(matmul(grads, weights, 'MatMul_grad_input', false, true, [-1, ci]), 'Conv2D_grad_input', x.shape as number[]) : undefined,
        reshape(matmul(rows, grads, 'MatMul_grad_filter', true, false, [ci, co]), 'Conv2D_grad_filter', kernel.shape as number[]),
      ];
    });
    return y;
  }

  private biasAdd(layer: string, x: GraphTensor, bias: GraphTensor): GraphTensor {
    const y = this.g.node1('BiasAdd', `${layer}/BiasAdd`, [x, bias], { T: F32, data_format: { string: 'NHWC' } }, x.shape);
    this.record([x, bias], [y], ([dy]) => [dy, this.g.node1('BiasAddGrad', `${layer}/BiasAdd_grad`, [dy!], { T: F32, data_format: { string: 'NHWC' } }, bias.shape)]);
    return y;
  }

  depthwiseConv2d(name: string, x: GraphTensor, o: DepthwiseOptions): GraphTensor {
    const layer = this.full(name);
    const stride = o.stride ?? 1;
    const kernel = this.ctx.weight(layer, 'kernel');
    const attrs = { T: F32, strides: { ints: [1, stride, stride, 1] }, padding: { string: 'SAME' }, data_format: { string: 'NHWC' }, dilations: { ints: [1, 1, 1, 1] } };
    const [b, h, w, c] = x.shape;
    const shape = [b!, sameOutputSize(h!, stride), sameOutputSize(w!, stride), c!];
    let y = this.g.node1('DepthwiseConv2dNative', `${layer}/depthwise`, [x, kernel], attrs, shape);
    this.record([x, kernel], [y], ([dy]) => [
      this.tracked(x) ? this.g.node1('DepthwiseConv2dNativeBackpropInput', `${layer}/depthwise_grad_input`, [this.shapeOf(x, 'shape'), kernel, dy!], attrs, x.shape) : undefined,
      this.depthwiseFilterGradient(layer, x, kernel, dy!, stride, attrs),
    ]);
    if (this.ctx.folded?.has(layer)) {
      const bias = this.ctx.weight(layer, 'bias');
      y = this.biasAdd(layer, y, bias);
    }
    return y;
  }

  /**
   * The gradient of a depthwise convolution's filter. TensorFlow's own kernel (oneDNN) is slow on
   * maps of a pixel or two: on 2x2 maps, slower than on 4x4 ones. There the same sums are written
   * with ops that are fast at these sizes (measured: 2-3x faster per layer):
   * - a 1x1 output: each filter tap sees one input pixel per image, so the gradient is the padded
   *   input times dy, summed over the images;
   * - stride 1 and an output of at most 2x2: a depthwise convolution (VALID) of the padded input
   *   by dy, each image moved into the channels, then summed over the images.
   * Elsewhere, TensorFlow's kernel.
   */
  private depthwiseFilterGradient(layer: string, x: GraphTensor, kernel: GraphTensor, dy: GraphTensor, stride: number, attrs: Record<string, AttrValue>): GraphTensor {
    const [kh, kw, c] = kernel.shape as [number, number, number];
    const [, h, w] = x.shape as [number, number, number];
    const oh = sameOutputSize(h, stride);
    const ow = sameOutputSize(w, stride);
    // TensorFlow's SAME padding: total max((o - 1) * s + k - n, 0), the smaller half before.
    const pads = [[h, oh, kh], [w, ow, kw]].map(([n, o, k]) => {
      const total = Math.max((o! - 1) * stride + k! - n!, 0);
      return [Math.floor(total / 2), total - Math.floor(total / 2)] as const;
    });
    const padded = () =>
      this.g.node1('Pad', `${layer}/depthwise_grad_filter/pad`, [x, this.g.constant(`${layer}/depthwise_grad_filter/paddings`, [0, 0, ...pads[0]!, ...pads[1]!, 0, 0], [4, 2], 'int32')], { T: F32, Tpaddings: I32 }, [x.shape[0]!, h + pads[0]![0] + pads[0]![1], w + pads[1]![0] + pads[1]![1], c]);
    const name = `${layer}/depthwise_grad_filter`;
    if (oh === 1 && ow === 1 && h + pads[0]![0] + pads[0]![1] === kh && w + pads[1]![0] + pads[1]![1] === kw) {
      const product = this.g.node1('Mul', `${name}/mul`, [padded(), dy], { T: F32 }, [x.shape[0]!, kh, kw, c]);
      const summed = this.g.node1('Sum', `${name}/sum`, [product, this.int32(`${name}/axes`, [0])], { T: F32, Tidx: I32, keep_dims: { bool: false } }, [kh, kw, c]);
      return this.g.node1('Reshape', name, [summed, this.int32(`${name}/shape`, kernel.shape)], { T: F32, Tshape: I32 }, kernel.shape);
    }
    if (stride === 1 && oh <= 2 && ow <= 2) {
      const perm = this.int32(`${name}/perm`, [1, 2, 3, 0]);
      const hp = h + kh - 1;
      const wp = w + kw - 1;
      const images = this.g.node1('Transpose', `${name}/images`, [padded(), perm], { T: F32, Tperm: I32 }, [hp, wp, c, -1]);
      const input = this.g.node1('Reshape', `${name}/input`, [images, this.int32(`${name}/input_shape`, [1, hp, wp, -1])], { T: F32, Tshape: I32 }, [1, hp, wp, -1]);
      const grads = this.g.node1('Transpose', `${name}/dy`, [dy, perm], { T: F32, Tperm: I32 }, [oh, ow, c, -1]);
      const filter = this.g.node1('Reshape', `${name}/filter`, [grads, this.int32(`${name}/filter_shape`, [oh, ow, -1, 1])], { T: F32, Tshape: I32 }, [oh, ow, -1, 1]);
      const valid = { ...attrs, strides: { ints: [1, 1, 1, 1] }, padding: { string: 'VALID' } };
      const perImage = this.g.node1('DepthwiseConv2dNative', `${name}/per_image`, [input, filter], valid, [1, kh, kw, -1]);
      const split = this.g.node1('Reshape', `${name}/split`, [perImage, this.int32(`${name}/split_shape`, [kh, kw, c, -1])], { T: F32, Tshape: I32 }, [kh, kw, c, -1]);
      return this.g.node1('Sum', name, [split, this.int32(`${name}/axes`, [3])], { T: F32, Tidx: I32, keep_dims: { bool: true } }, kernel.shape);
    }
    return this.g.node1('DepthwiseConv2dNativeBackpropFilter', name, [x, this.int32(`${layer}/kernel_shape`, kernel.shape), dy], attrs, kernel.shape);
  }

  batchNorm(name: string, x: GraphTensor): GraphTensor {
    const layer = this.full(name);
    if (this.ctx.folded && [...this.ctx.folded.values()].includes(layer)) return x;
    const gamma = this.ctx.weight(layer, 'gamma');
    const beta = this.ctx.weight(layer, 'beta');
    const attrs = { T: F32, U: F32, epsilon: { float: this.ctx.bnEpsilon }, data_format: { string: 'NHWC' }, is_training: { bool: this.training }, exponential_avg_factor: { float: 1 } };
    const c = this.channels(x);
    const stat = { shape: [c], dtype: 'float32' as const };
    if (!this.training) {
      const mean = this.ctx.weight(layer, 'moving_mean');
      const variance = this.ctx.weight(layer, 'moving_variance');
      return this.g.node('FusedBatchNormV3', `${layer}/FusedBatchNormV3`, [x, gamma, beta, mean, variance], attrs, [{ shape: x.shape, dtype: 'float32' }, stat, stat, stat, stat, { shape: [-1], dtype: 'float32' }])[0]!;
    }
    const empty = this.g.constant(`${layer}/empty`, [], [0]);
    const out = this.g.node('FusedBatchNormV3', `${layer}/FusedBatchNormV3`, [x, gamma, beta, empty, empty], attrs, [{ shape: x.shape, dtype: 'float32' }, stat, stat, stat, stat, { shape: [-1], dtype: 'float32' }]);
    const [y, mean, variance, r1, r2, r3] = out as [GraphTensor, GraphTensor, GraphTensor, GraphTensor, GraphTensor, GraphTensor];
    this.ctx.statistics.push({ layer, mean, variance });
    this.record([x, gamma, beta], [y], ([dy]) => {
      const gradAttrs = { T: F32, U: F32, epsilon: attrs.epsilon, data_format: attrs.data_format, is_training: { bool: true } };
      const grads = this.g.node('FusedBatchNormGradV3', `${layer}/FusedBatchNormV3_grad`, [dy!, x, gamma, r1, r2, r3], gradAttrs, [
        { shape: x.shape, dtype: 'float32' },
        stat,
        stat,
        { shape: [0], dtype: 'float32' },
        { shape: [0], dtype: 'float32' },
      ]);
      return [grads[0], grads[1], grads[2]];
    });
    return y;
  }

  batchNormActivate(name: string, x: GraphTensor, kind?: ActivationName): GraphTensor {
    return this.activate(this.batchNorm(name, x), kind);
  }

  activate(x: GraphTensor, kind?: ActivationName): GraphTensor {
    const act = kind ?? this.ctx.activation;
    const base = `${x.node}/${act}`;
    switch (act) {
      case 'linear':
        return x;
      case 'relu':
      case 'relu6': {
        const op = act === 'relu' ? 'Relu' : 'Relu6';
        const y = this.g.node1(op, base, [x], { T: F32 }, x.shape);
        this.record([x], [y], ([dy]) => [this.g.node1(`${op}Grad`, `${base}_grad`, [dy!, x], { T: F32 }, x.shape)]);
        return y;
      }
      case 'silu': {
        const conv = this.ctx.fuseActivations ? this.fusable.get(x.node) : undefined;
        if (conv) {
          const { T, ...rest } = conv.attrs;
          return this.g.node1('_FusedConv2D', `${conv.layer}/Conv2D_bias_silu`, conv.inputs, { ...rest, T: T!, num_args: { int: 1 }, TArgs: { types: ['float32'] }, fused_ops: { strings: ['BiasAdd', '_MklSwish'] }, epsilon: { float: 0.001 } }, x.shape);
        }
        // y = x * s, s = sigmoid(x); dy/dx = s + x * s * (1 - s).
        const s = this.g.node1('Sigmoid', `${base}/sigmoid`, [x], { T: F32 }, x.shape);
        const y = this.g.node1('Mul', base, [x, s], { T: F32 }, x.shape);
        this.record([x], [y], ([dy]) => {
          const direct = this.g.node1('Mul', `${base}_grad/direct`, [dy!, s], { T: F32 }, x.shape);
          const through = this.g.node1('SigmoidGrad', `${base}_grad/through`, [s, this.g.node1('Mul', `${base}_grad/dy_x`, [dy!, x], { T: F32 }, x.shape)], { T: F32 }, x.shape);
          return [this.g.node1('AddV2', `${base}_grad`, [direct, through], { T: F32 }, x.shape)];
        });
        return y;
      }
      case 'hard_swish': {
        // y = x * relu6(x + 3) / 6; dy/dx = relu6(x + 3) / 6 + x * [-3 < x < 3] / 6.
        const shifted = this.g.node1('AddV2', `${base}/shift`, [x, this.scalar(`${base}/three`, 3)], { T: F32 }, x.shape);
        const r = this.g.node1('Relu6', `${base}/relu6`, [shifted], { T: F32 }, x.shape);
        const sixth = this.scalar(`${base}/sixth`, 1 / 6);
        const gate = this.g.node1('Mul', `${base}/gate`, [r, sixth], { T: F32 }, x.shape);
        const y = this.g.node1('Mul', base, [x, gate], { T: F32 }, x.shape);
        this.record([x], [y], ([dy]) => {
          const direct = this.g.node1('Mul', `${base}_grad/direct`, [dy!, gate], { T: F32 }, x.shape);
          const dyx = this.g.node1('Mul', `${base}_grad/dy_x`, [this.g.node1('Mul', `${base}_grad/dy_x6`, [dy!, x], { T: F32 }, x.shape), sixth], { T: F32 }, x.shape);
          const through = this.g.node1('Relu6Grad', `${base}_grad/through`, [dyx, shifted], { T: F32 }, x.shape);
          return [this.g.node1('AddV2', `${base}_grad`, [direct, through], { T: F32 }, x.shape)];
        });
        return y;
      }
      default:
        throw new EffnetError('GRAPH_UNSUPPORTED', `activation "${act}" has no TensorFlow graph form here; the eager path runs it`);
    }
  }

  sigmoid(x: GraphTensor): GraphTensor {
    const y = this.g.node1('Sigmoid', `${x.node}/sigmoid`, [x], { T: F32 }, x.shape);
    this.record([x], [y], ([dy]) => [this.g.node1('SigmoidGrad', `${x.node}/sigmoid_grad`, [y, dy!], { T: F32 }, x.shape)]);
    return y;
  }

  private mean(x: GraphTensor, keepDims: boolean, name: string): GraphTensor {
    const [b, h, w, c] = x.shape as [number, number, number, number];
    const y = this.g.node1('Mean', name, [x, this.int32(`${name}/axes`, [1, 2])], { T: F32, Tidx: I32, keep_dims: { bool: keepDims } }, keepDims ? [b, 1, 1, c] : [b, c]);
    this.record([x], [y], ([dy]) => {
      const scaled = this.g.node1('Mul', `${name}_grad/scale`, [dy!, this.scalar(`${name}_grad/factor`, 1 / (h * w))], { T: F32 }, dy!.shape);
      const four = keepDims ? scaled : this.g.node1('Reshape', `${name}_grad/reshape`, [scaled, this.int32(`${name}_grad/shape`, [-1, 1, 1, c])], { T: F32, Tshape: I32 }, [b, 1, 1, c]);
      return [this.g.node1('BroadcastTo', `${name}_grad`, [four, this.shapeOf(x, 'shape')], { T: F32, Tidx: I32 }, x.shape)];
    });
    return y;
  }

  spatialMean(x: GraphTensor): GraphTensor {
    return this.mean(x, true, `${x.node}/spatial_mean`);
  }

  multiply(a: GraphTensor, b: GraphTensor): GraphTensor {
    const y = this.binary('Mul', `${a.node}/mul`, a, b);
    this.record([a, b], [y], ([dy]) => [
      this.tracked(a) ? this.unbroadcast(this.binary('Mul', `${y.node}_grad/a`, dy!, b), a, `${y.node}_grad/a`) : undefined,
      this.tracked(b) ? this.unbroadcast(this.binary('Mul', `${y.node}_grad/b`, dy!, a), b, `${y.node}_grad/b`) : undefined,
    ]);
    return y;
  }

  add(a: GraphTensor, b: GraphTensor): GraphTensor {
    const y = this.binary('AddV2', `${a.node}/add`, a, b);
    this.record([a, b], [y], ([dy]) => [this.unbroadcast(dy!, a, `${y.node}_grad/a`), this.unbroadcast(dy!, b, `${y.node}_grad/b`)]);
    return y;
  }

  private mask(kind: MaskInput['kind'], rate: number, shape: number[], name: string): GraphTensor {
    const placeholder = this.g.placeholder(name, shape);
    this.ctx.masks.push({ kind, rate, placeholder });
    return placeholder;
  }

  dropPath(x: GraphTensor, survivalProb: number): GraphTensor {
    if (!this.training || survivalProb >= 1) return x;
    const mask = this.mask('drop-path', survivalProb, [x.shape[0]!, ...x.shape.slice(1).map(() => 1)], `${x.node}/drop_path_mask`);
    const keep = this.scalar(`${x.node}/survival`, survivalProb);
    const scaled = this.g.node1('RealDiv', `${x.node}/drop_path_scale`, [x, keep], { T: F32 }, x.shape);
    const y = this.binary('Mul', `${x.node}/drop_path`, scaled, mask);
    this.record([x], [y], ([dy]) => [this.g.node1('RealDiv', `${y.node}_grad`, [this.binary('Mul', `${y.node}_grad/mask`, dy!, mask), keep], { T: F32 }, x.shape)]);
    return y;
  }

  block(run: () => GraphTensor): GraphTensor {
    return run();
  }

  globalPool(x: GraphTensor): GraphTensor {
    return this.mean(x, false, `${x.node}/global_pool`);
  }

  dropout(x: GraphTensor, rate: number): GraphTensor {
    if (!this.training || rate <= 0) return x;
    const mask = this.mask('dropout', rate, [...x.shape], `${x.node}/dropout_mask`);
    const y = this.binary('Mul', `${x.node}/dropout`, x, mask);
    this.record([x], [y], ([dy]) => [this.binary('Mul', `${y.node}_grad`, dy!, mask)]);
    return y;
  }

  dense(name: string, x: GraphTensor, units: number): GraphTensor {
    const layer = this.full(name);
    const kernel = this.ctx.weight(layer, 'kernel');
    const y = this.g.node1('MatMul', `${layer}/MatMul`, [x, kernel], { T: F32, transpose_a: { bool: false }, transpose_b: { bool: false } }, [x.shape[0]!, units]);
    this.record([x, kernel], [y], ([dy]) => [
      this.tracked(x) ? this.g.node1('MatMul', `${layer}/MatMul_grad_input`, [dy!, kernel], { T: F32, transpose_a: { bool: false }, transpose_b: { bool: true } }, x.shape) : undefined,
      this.g.node1('MatMul', `${layer}/MatMul_grad_kernel`, [x, dy!], { T: F32, transpose_a: { bool: true }, transpose_b: { bool: false } }, kernel.shape),
    ]);
    return this.biasAdd(layer, y, this.ctx.weight(layer, 'bias'));
  }

  scope(prefix: string): GraphOps {
    return new GraphOps(this.ctx, this.full(prefix), this.fusable);
  }
}
