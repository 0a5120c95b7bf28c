import type { ActivationName } from '../spec/architecture.js';

/** Options of a convolution declared through {@link LayerOps.conv2d}. */
export interface ConvOptions {
  filters: number;
  kernel: number;
  /** Default 1. Padding is always TensorFlow's 'same' (asymmetric for even sizes and stride 2). */
  stride?: number;
  /** Add a bias (SE convolutions have one; convolutions followed by BatchNorm do not). */
  bias?: boolean;
}

/** Options of a depthwise convolution. */
export interface DepthwiseOptions {
  kernel: number;
  stride?: number;
}

/**
 * The layer vocabulary blocks are written in. A block's `forward` is generic over the value type
 * `T`: the same code runs on real tensors (inference and training), and on shapes only, which is
 * how the builder learns each block's parameters and how `effnet info` counts MACs. Layers are
 * named; the name, under the block's scope, names the weights (`blocks/3/0/expand_conv/kernel`).
 */
export interface LayerOps<T> {
  /** The value's channel count (last dimension, NHWC). */
  channels(x: T): number;
  /** k x k convolution with 'same' padding. */
  conv2d(name: string, x: T, options: ConvOptions): T;
  /** k x k depthwise convolution (multiplier 1) with 'same' padding. */
  depthwiseConv2d(name: string, x: T, options: DepthwiseOptions): T;
  /** BatchNorm with the network's epsilon and momentum; batch statistics in training. */
  batchNorm(name: string, x: T): T;
  /**
   * BatchNorm then the activation (the network's, or `kind`), fused into one op with its own
   * gradient in training. Prefer it to `activate(batchNorm(...))`.
   */
  batchNormActivate(name: string, x: T, kind?: ActivationName): T;
  /** The network's activation, or `kind`. */
  activate(x: T, kind?: ActivationName): T;
  /** Logistic sigmoid. */
  sigmoid(x: T): T;
  /** Mean over height and width, keeping them as size 1: [B,H,W,C] -> [B,1,1,C]. */
  spatialMean(x: T): T;
  /** Elementwise product with broadcasting. */
  multiply(a: T, b: T): T;
  /** Elementwise sum. */
  add(a: T, b: T): T;
  /** Stochastic depth: in training, drops the whole tensor per sample with probability 1 - survival. */
  dropPath(x: T, survivalProb: number): T;
  /** Ops whose layer names are prefixed with `prefix/`. */
  scope(prefix: string): LayerOps<T>;
}

/** The extra ops the network's head needs. */
export interface HeadOps<T> extends LayerOps<T> {
  /** [B,H,W,C] -> [B,C] by averaging. */
  globalPool(x: T): T;
  /** Dropout in training, identity in inference. */
  dropout(x: T, rate: number): T;
  /** Fully connected layer [B,C] -> [B,units] with bias. */
  dense(name: string, x: T, units: number): T;
  /**
   * Runs one block of the network. Tensor ops free the block's temporaries when it returns, so a
   * forward pass under a gradient tape holds only block outputs and what the backward pass saved.
   */
  block?(run: () => T): T;
}

/** What a declared weight is, which decides its initialisation and its layout in other formats. */
export type WeightKind =
  | 'conv_kernel'
  | 'depthwise_kernel'
  | 'dense_kernel'
  | 'bias'
  | 'bn_gamma'
  | 'bn_beta'
  | 'bn_moving_mean'
  | 'bn_moving_variance';

/** One weight of a network, as declared by its layers. */
export interface WeightDecl {
  /** Full name, e.g. `blocks/3/0/dw_conv/kernel`. */
  name: string;
  /** Layer part of the name, e.g. `blocks/3/0/dw_conv`. */
  layer: string;
  shape: number[];
  kind: WeightKind;
  /** BatchNorm moving statistics are not trainable. */
  trainable: boolean;
}
