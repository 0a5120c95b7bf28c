import { EffnetError } from '../errors.js';
import type { ActivationName } from '../spec/architecture.js';
import type { ConvOptions, DepthwiseOptions, HeadOps, WeightDecl, WeightKind } from './layer-ops.js';

/** A value that carries only its shape, NHWC or [B,C]. */
export interface ShapeOnly {
  readonly shape: readonly number[];
}

/** Multiply-accumulates of one layer at one input size. */
export interface MacRecord {
  layer: string;
  macs: number;
}

/** Everything a shape-only pass learns about a network. */
export interface MeterLog {
  weights: WeightDecl[];
  macs: MacRecord[];
}

/** 'same' padding output size. */
export function sameOutputSize(size: number, stride: number): number {
  return Math.ceil(size / stride);
}

/**
 * {@link HeadOps} over shapes: declares weights and counts conv and dense multiply-accumulates,
 * never touching a tensor. Used to build a model's weight list and for `effnet info`.
 */
export class MeterOps implements HeadOps<ShapeOnly> {
  constructor(
    readonly log: MeterLog = { weights: [], macs: [] },
    private readonly prefix = '',
  ) {}

  private full(name: string): string {
    return this.prefix ? `${this.prefix}/${name}` : name;
  }

  private declare(layer: string, weight: string, shape: number[], kind: WeightKind): void {
    const name = `${layer}/${weight}`;
    if (this.log.weights.some((w) => w.name === name)) {
      throw new EffnetError('DUPLICATE_LAYER', `layer name "${layer}" is used twice in one block`);
    }
    const trainable = kind !== 'bn_moving_mean' && kind !== 'bn_moving_variance';
    this.log.weights.push({ name, layer, shape, kind, trainable });
  }

  private nhwc(x: ShapeOnly, layer: string): [number, number, number, number] {
    if (x.shape.length !== 4) throw new EffnetError('BAD_SHAPE', `layer ${layer} expects an NHWC value`, { expected: 'rank 4', actual: `rank ${x.shape.length}` });
    return x.shape as [number, number, number, number];
  }

  channels(x: ShapeOnly): number {
    return x.shape[x.shape.length - 1]!;
  }

  conv2d(name: string, x: ShapeOnly, o: ConvOptions): ShapeOnly {
    const layer = this.full(name);
    const [b, h, w, c] = this.nhwc(x, layer);
    const stride = o.stride ?? 1;
    this.declare(layer, 'kernel', [o.kernel, o.kernel, c, o.filters], 'conv_kernel');
    if (o.bias) this.declare(layer, 'bias', [o.filters], 'bias');
    const oh = sameOutputSize(h, stride);
    const ow = sameOutputSize(w, stride);
    this.log.macs.push({ layer, macs: oh * ow * o.kernel * o.kernel * c * o.filters });
    return { shape: [b, oh, ow, o.filters] };
  }

  depthwiseConv2d(name: string, x: ShapeOnly, o: DepthwiseOptions): ShapeOnly {
    const layer = this.full(name);
    const [b, h, w, c] = this.nhwc(x, layer);
    const stride = o.stride ?? 1;
    this.declare(layer, 'kernel', [o.kernel, o.kernel, c, 1], 'depthwise_kernel');
    const oh = sameOutputSize(h, stride);
    const ow = sameOutputSize(w, stride);
    this.log.macs.push({ layer, macs: oh * ow * o.kernel * o.kernel * c });
    return { shape: [b, oh, ow, c] };
  }

  batchNorm(name: string, x: ShapeOnly): ShapeOnly {
    const layer = this.full(name);
    const c = this.channels(x);
    this.declare(layer, 'gamma', [c], 'bn_gamma');
    this.declare(layer, 'beta', [c], 'bn_beta');
    this.declare(layer, 'moving_mean', [c], 'bn_moving_mean');
    this.declare(layer, 'moving_variance', [c], 'bn_moving_variance');
    return x;
  }

  batchNormActivate(name: string, x: ShapeOnly): ShapeOnly {
    return this.batchNorm(name, x);
  }

  activate(x: ShapeOnly, _kind?: ActivationName): ShapeOnly {
    return x;
  }

  sigmoid(x: ShapeOnly): ShapeOnly {
    return x;
  }

  spatialMean(x: ShapeOnly): ShapeOnly {
    const [b, , , c] = this.nhwc(x, 'spatialMean');
    return { shape: [b, 1, 1, c] };
  }

  multiply(a: ShapeOnly, b: ShapeOnly): ShapeOnly {
    return { shape: broadcast(a.shape, b.shape) };
  }

  add(a: ShapeOnly, b: ShapeOnly): ShapeOnly {
    if (a.shape.join() !== b.shape.join()) {
      throw new EffnetError('BAD_SHAPE', `residual add of different shapes under "${this.prefix}"`, { expected: a.shape, actual: b.shape });
    }
    return a;
  }

  dropPath(x: ShapeOnly): ShapeOnly {
    return x;
  }

  globalPool(x: ShapeOnly): ShapeOnly {
    const [b, , , c] = this.nhwc(x, 'globalPool');
    return { shape: [b, c] };
  }

  dropout(x: ShapeOnly): ShapeOnly {
    return x;
  }

  dense(name: string, x: ShapeOnly, units: number): ShapeOnly {
    const layer = this.full(name);
    const c = this.channels(x);
    this.declare(layer, 'kernel', [c, units], 'dense_kernel');
    this.declare(layer, 'bias', [units], 'bias');
    this.log.macs.push({ layer, macs: c * units });
    return { shape: [x.shape[0]!, units] };
  }

  scope(prefix: string): MeterOps {
    return new MeterOps(this.log, this.full(prefix));
  }
}

function broadcast(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) throw new EffnetError('BAD_SHAPE', 'multiply of different ranks', { expected: a, actual: b });
  return a.map((d, i) => {
    const e = b[i]!;
    if (d !== e && d !== 1 && e !== 1) throw new EffnetError('BAD_SHAPE', 'multiply of incompatible shapes', { expected: a, actual: b });
    return Math.max(d, e);
  });
}
