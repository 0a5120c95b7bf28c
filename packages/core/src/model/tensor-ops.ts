import * as tf from '@tensorflow/tfjs-core';
import { batchNormTraining } from './batch-norm-training.js';
import { EffnetError } from '../errors.js';
import type { ActivationName } from '../spec/architecture.js';
import { applyActivation } from './activations.js';
import { batchNormActivationTraining, FUSABLE_ACTIVATIONS } from './fused-batchnorm-activation.js';
import type { ConvOptions, DepthwiseOptions, HeadOps } from './layer-ops.js';

/**
 * moving = moving * m + batch * (1 - m), for BatchNorm's mean and variance. The variance is the
 * unbiased batch variance, as TF's fused BatchNorm and PyTorch use.
 */
export function moveStatistics(movingMean: tf.Variable, movingVar: tf.Variable, mean: tf.Tensor, unbiasedVariance: tf.Tensor, momentum: number): void {
  tf.tidy(() => {
    movingMean.assign(tf.add(tf.mul(movingMean, momentum), tf.mul(mean, 1 - momentum)));
    movingVar.assign(tf.add(tf.mul(movingVar, momentum), tf.mul(unbiasedVariance, 1 - momentum)));
  });
}

/** Run-time settings shared by every layer of one forward pass. */
export interface TensorOpsContext {
  weights: ReadonlyMap<string, tf.Tensor>;
  training: boolean;
  /** Update BatchNorm moving statistics (training only). */
  updateStatistics: boolean;
  activation: ActivationName;
  bnEpsilon: number;
  bnMomentum: number;
  /** Returns a fresh integer seed for each random op (dropout, stochastic depth). */
  nextSeed: () => number;
  /** Use the fused BatchNorm + activation op in training (default true). */
  fuseBatchNorm?: boolean;
}

/** {@link HeadOps} over TF.js tensors: the real forward pass. */
export class TensorOps implements HeadOps<tf.Tensor> {
  constructor(
    private readonly ctx: TensorOpsContext,
    private readonly prefix = '',
  ) {}

  private weight(layer: string, name: string): tf.Tensor {
    const full = `${layer}/${name}`;
    const w = this.ctx.weights.get(full);
    if (!w) throw new EffnetError('MISSING_WEIGHT', `the model has no weight "${full}"; was the block changed after the model was built?`);
    return w;
  }

  private full(name: string): string {
    return this.prefix ? `${this.prefix}/${name}` : name;
  }

  channels(x: tf.Tensor): number {
    return x.shape[x.shape.length - 1]!;
  }

  conv2d(name: string, x: tf.Tensor, o: ConvOptions): tf.Tensor {
    const layer = this.full(name);
    const stride = o.stride ?? 1;
    const kernel = this.weight(layer, 'kernel') as tf.Tensor4D;
    const y = tf.conv2d(x as tf.Tensor4D, kernel, stride, 'same');
    return o.bias ? tf.add(y, this.weight(layer, 'bias')) : y;
  }

  depthwiseConv2d(name: string, x: tf.Tensor, o: DepthwiseOptions): tf.Tensor {
    const layer = this.full(name);
    const kernel = this.weight(layer, 'kernel') as tf.Tensor4D;
    return tf.depthwiseConv2d(x as tf.Tensor4D, kernel, o.stride ?? 1, 'same');
  }

  batchNorm(name: string, x: tf.Tensor): tf.Tensor {
    const layer = this.full(name);
    const gamma = this.weight(layer, 'gamma') as tf.Tensor1D;
    const beta = this.weight(layer, 'beta') as tf.Tensor1D;
    const movingMean = this.weight(layer, 'moving_mean') as tf.Tensor1D;
    const movingVar = this.weight(layer, 'moving_variance') as tf.Tensor1D;
    if (!this.ctx.training) {
      return tf.batchNorm(x, movingMean, movingVar, beta, gamma, this.ctx.bnEpsilon);
    }
    const { y, mean, variance } = batchNormTraining(x, gamma, beta, this.ctx.bnEpsilon);
    if (this.ctx.updateStatistics) this.updateMovingStatistics(x, movingMean as tf.Variable, movingVar as tf.Variable, mean, variance);
    tf.dispose([mean, variance]);
    return y;
  }

  batchNormActivate(name: string, x: tf.Tensor, kind?: ActivationName): tf.Tensor {
    const act = kind ?? this.ctx.activation;
    if (!this.ctx.training || this.ctx.fuseBatchNorm === false || !FUSABLE_ACTIVATIONS.includes(act)) return this.activate(this.batchNorm(name, x), kind);
    const layer = this.full(name);
    const movingMean = this.weight(layer, 'moving_mean') as tf.Variable;
    const movingVar = this.weight(layer, 'moving_variance') as tf.Variable;
    const update = this.ctx.updateStatistics
      ? (mean: tf.Tensor, variance: tf.Tensor) => this.updateMovingStatistics(x, movingMean, movingVar, mean, variance)
      : undefined;
    return batchNormActivationTraining(x, this.weight(layer, 'gamma'), this.weight(layer, 'beta'), this.ctx.bnEpsilon, act, update);
  }

  /** Moves the statistics towards the batch's; the variance is made unbiased first. */
  private updateMovingStatistics(x: tf.Tensor, movingMean: tf.Variable, movingVar: tf.Variable, mean: tf.Tensor, variance: tf.Tensor): void {
    const n = x.size / x.shape[x.rank - 1]!;
    tf.tidy(() => moveStatistics(movingMean, movingVar, mean, n > 1 ? tf.mul(variance, n / (n - 1)) : variance, this.ctx.bnMomentum));
  }

  activate(x: tf.Tensor, kind?: ActivationName): tf.Tensor {
    return applyActivation(x, kind ?? this.ctx.activation);
  }

  sigmoid(x: tf.Tensor): tf.Tensor {
    return tf.sigmoid(x);
  }

  spatialMean(x: tf.Tensor): tf.Tensor {
    return tf.mean(x, [1, 2], true);
  }

  multiply(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
    return tf.mul(a, b);
  }

  add(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
    return tf.add(a, b);
  }

  dropPath(x: tf.Tensor, survivalProb: number): tf.Tensor {
    if (!this.ctx.training || survivalProb >= 1) return x;
    const maskShape = [x.shape[0]!, ...x.shape.slice(1).map(() => 1)];
    const mask = tf.floor(tf.add(survivalProb, tf.randomUniform(maskShape, 0, 1, 'float32', this.ctx.nextSeed())));
    return tf.mul(tf.div(x, survivalProb), mask);
  }

  /** Runs a block in `tf.tidy` (under a gradient tape too: saved tensors outlive the scope). */
  block(run: () => tf.Tensor): tf.Tensor {
    return tf.tidy(run);
  }

  globalPool(x: tf.Tensor): tf.Tensor {
    return tf.mean(x, [1, 2]);
  }

  dropout(x: tf.Tensor, rate: number): tf.Tensor {
    if (!this.ctx.training || rate <= 0) return x;
    return tf.dropout(x, rate, undefined, this.ctx.nextSeed());
  }

  dense(name: string, x: tf.Tensor, _units: number): tf.Tensor {
    const layer = this.full(name);
    return tf.add(tf.matMul(x as tf.Tensor2D, this.weight(layer, 'kernel') as tf.Tensor2D), this.weight(layer, 'bias'));
  }

  scope(prefix: string): TensorOps {
    return new TensorOps(this.ctx, this.full(prefix));
  }
}
