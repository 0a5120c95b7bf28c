import * as tf from '@tensorflow/tfjs-core';
import { EffnetError } from '../errors.js';
import '../register-gradients.js';
import { SeededRandom } from '../random.js';
import type { ArchitectureSpec } from '../spec/architecture.js';
import { declareWeights } from './describe.js';
import { initialValue } from './initializers.js';
import type { WeightDecl } from './layer-ops.js';
import { planNetwork, runNetwork, type NetworkOutput, type NetworkPlan } from './network-plan.js';
import { TensorOps } from './tensor-ops.js';
import { explainEagerFallback, isGraphUnsupported, resolveEngine, type ComputeEngine, type TrainingPass } from './graph-compiler.js';
import { streamingVariableGrads } from './streaming-gradients.js';

const MODEL_COUNTER = Symbol.for('@effnet/core.modelCounter');

/** TF.js variable names are global: each model gets its own prefix. */
function nextModelId(): number {
  const g = globalThis as unknown as Record<symbol, number>;
  g[MODEL_COUNTER] = (g[MODEL_COUNTER] ?? 0) + 1;
  return g[MODEL_COUNTER];
}

/** Options of {@link EffNetModel.apply}. */
export interface ApplyOptions {
  /** Training mode: batch statistics, dropout, stochastic depth. Default false. */
  training?: boolean;
  /** In training, update BatchNorm moving statistics (default: same as `training`). */
  updateStatistics?: boolean;
  /** What to return: `logits` (default), `features` (pooled, pre-classifier) or `stem`. */
  output?: NetworkOutput;
  /** Dropout before the classifier for this call (progressive learning raises it by stage). */
  dropout?: number;
  /** Stochastic-depth rate for this call. */
  dropPathRate?: number;
  /** Fuse BatchNorm and activation into one op with its own gradient in training (default true). */
  fuseBatchNorm?: boolean;
}

/** Options of {@link EffNetModel.trainingPass}. */
export interface TrainingPassOptions {
  /** Dropout before the classifier (default: the spec's). */
  dropout?: number;
  /** Stochastic-depth rate (default: the spec's). */
  dropPathRate?: number;
  /** Move the BatchNorm statistics towards this batch's (default true). */
  updateStatistics?: boolean;
  /** `auto` (default): a compiled graph where the backend has a compiler (tfjs-node), else eager. */
  engine?: ComputeEngine;
}

/** Options of the {@link EffNetModel} constructor. */
export interface ModelOptions {
  /** Seed of weight initialisation and of dropout / stochastic-depth masks. */
  seed?: number;
  /** Class names, index = class id. */
  labels?: string[];
  /** Skip random initialisation (weights are zeros until set); used when loading weights. */
  initialize?: boolean;
}

/** Parameter counts of a model. */
export interface ParamCount {
  trainable: number;
  nonTrainable: number;
}

/**
 * An EfficientNetV2-family network in TF.js: the spec, one `tf.Variable` per weight, and a forward
 * pass that accepts any input height and width (one set of weights serves every training stage
 * size and the evaluation size). Input is NHWC float32 after preprocessing.
 */
export class EffNetModel {
  readonly spec: ArchitectureSpec;
  readonly plan: NetworkPlan;
  /** Declared weights in model order. */
  readonly weightDecls: readonly WeightDecl[];
  /** The weights, by name (`blocks/3/0/dw_conv/kernel`, ...). */
  readonly weights: ReadonlyMap<string, tf.Variable>;
  /** Class names, when known. */
  labels: string[] | undefined;
  /** Random state for dropout and stochastic-depth masks. */
  readonly random: SeededRandom;
  private disposed = false;
  private readonly disposeHooks: (() => void)[] = [];
  /** Plans for other stochastic-depth rates, made once (progressive training changes it by stage). */
  private readonly plansByDropPath = new Map<number, NetworkPlan>();

  constructor(spec: ArchitectureSpec, options: ModelOptions = {}) {
    this.spec = spec;
    this.plan = planNetwork(spec);
    this.weightDecls = declareWeights(this.plan);
    this.labels = options.labels;
    if (this.labels && spec.numClasses > 0 && this.labels.length !== spec.numClasses) {
      throw new EffnetError('BAD_LABELS', 'one label per class is needed', { field: 'labels', expected: spec.numClasses, actual: this.labels.length });
    }
    const init = new SeededRandom(options.seed ?? 0);
    const prefix = `effnet${nextModelId()}`;
    const weights = new Map<string, tf.Variable>();
    for (const decl of this.weightDecls) {
      const value = options.initialize === false ? tf.zeros(decl.shape) : initialValue(decl, init.nextSeed());
      weights.set(decl.name, tf.variable(value, decl.trainable, `${prefix}/${decl.name}`));
      value.dispose();
    }
    this.weights = weights;
    this.random = new SeededRandom((options.seed ?? 0) ^ 0x5bd1e995);
  }

  /** Trainable variables (BatchNorm moving statistics excluded), in model order. */
  trainableWeights(): tf.Variable[] {
    return this.weightDecls.filter((d) => d.trainable).map((d) => this.weights.get(d.name)!);
  }

  /** Parameter counts. */
  countParams(): ParamCount {
    let trainable = 0;
    let nonTrainable = 0;
    for (const d of this.weightDecls) {
      const n = d.shape.reduce((a, b) => a * b, 1);
      if (d.trainable) trainable += n;
      else nonTrainable += n;
    }
    return { trainable, nonTrainable };
  }

  /** Checks that `x` is a float32 NHWC batch with 3 channels; throws naming `source`. */
  checkInput(x: tf.Tensor, source = 'input'): asserts x is tf.Tensor4D {
    if (x.rank !== 4) throw new EffnetError('BAD_INPUT', 'input must be NHWC (rank 4)', { file: source, expected: '[batch, height, width, 3]', actual: x.shape });
    if (x.shape[3] !== 3) throw new EffnetError('BAD_INPUT', 'input must have 3 channels (NHWC)', { file: source, expected: 3, actual: x.shape[3] });
    if (x.dtype !== 'float32') throw new EffnetError('BAD_INPUT', 'input must be float32', { file: source, expected: 'float32', actual: x.dtype });
  }

  /**
   * The forward pass. Not wrapped in `tf.tidy`, so that it can run under a gradient tape; use
   * {@link predict} for inference.
   */
  apply(x: tf.Tensor, options: ApplyOptions = {}): tf.Tensor {
    this.assertAlive();
    this.checkInput(x);
    const training = options.training ?? false;
    let plan = this.plan;
    if (options.dropout !== undefined || options.dropPathRate !== undefined) {
      const spec = { ...this.spec, dropout: options.dropout ?? this.spec.dropout, dropPathRate: options.dropPathRate ?? this.spec.dropPathRate };
      let base = this.plan;
      if (options.dropPathRate !== undefined && options.dropPathRate !== this.spec.dropPathRate) {
        base = this.plansByDropPath.get(options.dropPathRate) ?? planNetwork(spec);
        this.plansByDropPath.set(options.dropPathRate, base);
      }
      plan = { ...base, spec };
    }
    const ops = new TensorOps({
      weights: this.weights,
      training,
      updateStatistics: options.updateStatistics ?? training,
      activation: this.spec.activation,
      bnEpsilon: this.spec.bnEpsilon,
      bnMomentum: this.spec.bnMomentum,
      nextSeed: () => this.random.nextSeed(),
      fuseBatchNorm: options.fuseBatchNorm ?? true,
    });
    return runNetwork(ops, x, plan, options.output ?? 'logits');
  }

  /**
   * One forward and backward pass in training mode: mean softmax cross-entropy against soft
   * labels `labels` ([batch, classes]), the logits, and the gradient of every trainable weight
   * (keyed by variable name). Runs as one compiled graph where the active backend can (see
   * {@link TrainingPassOptions.engine}), otherwise eagerly with the streaming backward pass; both
   * draw the same dropout and stochastic-depth masks.
   */
  trainingPass(x: tf.Tensor, labels: tf.Tensor2D, options: TrainingPassOptions = {}): TrainingPass {
    this.assertAlive();
    this.checkInput(x);
    const settings = {
      dropout: options.dropout ?? this.spec.dropout,
      dropPathRate: options.dropPathRate ?? this.spec.dropPathRate,
      updateStatistics: options.updateStatistics ?? true,
    };
    if (labels.rank !== 2 || labels.shape[0] !== x.shape[0] || labels.shape[1] !== this.spec.numClasses) {
      throw new EffnetError('BAD_LABELS', 'labels must be [batch, classes]', { field: 'labels', expected: [x.shape[0], this.spec.numClasses], actual: labels.shape });
    }
    const y = labels.dtype === 'float32' ? labels : (tf.cast(labels, 'float32') as tf.Tensor2D);
    try {
      const engine = options.engine ?? 'auto';
      const compiler = resolveEngine(engine, tf.getBackend());
      if (compiler) {
        try {
          return compiler.trainingPass(this, x, y, settings);
        } catch (e) {
          if (engine === 'graph' || !isGraphUnsupported(e)) throw e;
          explainEagerFallback(compiler.backend, e);
        }
      }
      let logits: tf.Tensor2D | undefined;
      const { value, grads } = streamingVariableGrads(() => {
        const out = this.apply(x, { training: true, ...settings });
        logits = tf.keep(out) as tf.Tensor2D;
        return tf.losses.softmaxCrossEntropy(y, out) as tf.Scalar;
      }, this.trainableWeights());
      return { loss: value, logits: logits!, grads };
    } finally {
      if (y !== labels) y.dispose();
    }
  }

  /** Runs `hook` when the model is disposed (compiled graphs free their sessions this way). */
  onDispose(hook: () => void): void {
    this.disposeHooks.push(hook);
  }

  /** Inference logits (or features when the model has no classifier), tidied. */
  predict(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => this.apply(x)) as tf.Tensor2D;
  }

  /** Pooled features before the classifier, tidied. */
  features(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => this.apply(x, { output: 'features' })) as tf.Tensor2D;
  }

  /**
   * Replaces weights by name. Every name must be a weight of this model with the same shape;
   * with `complete` (default true) every weight must be given. Nothing is assigned unless all fit.
   */
  setWeights(values: ReadonlyMap<string, tf.Tensor> | Record<string, tf.Tensor>, options: { source?: string; complete?: boolean } = {}): void {
    this.assertAlive();
    const map = values instanceof Map ? values : new Map(Object.entries(values));
    const file = options.source;
    for (const [name, t] of map) {
      const decl = this.weightDecls.find((d) => d.name === name);
      if (!decl) throw new EffnetError('UNKNOWN_WEIGHT', 'is not a weight of this architecture', { ...(file ? { file } : {}), field: name });
      if (t.shape.join() !== decl.shape.join()) {
        throw new EffnetError('WEIGHT_SHAPE', 'has the wrong shape', { ...(file ? { file } : {}), field: name, expected: decl.shape, actual: t.shape });
      }
      if (t.dtype !== 'float32') throw new EffnetError('WEIGHT_DTYPE', 'must be float32', { ...(file ? { file } : {}), field: name, expected: 'float32', actual: t.dtype });
    }
    if (options.complete ?? true) {
      const missing = this.weightDecls.find((d) => !map.has(d.name));
      if (missing) throw new EffnetError('MISSING_WEIGHT', 'is missing', { ...(file ? { file } : {}), field: missing.name, expected: missing.shape, actual: 'nothing' });
    }
    for (const [name, t] of map) this.weights.get(name)!.assign(t);
  }

  /** Frees every weight. The model cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    for (const hook of this.disposeHooks.splice(0)) hook();
    for (const v of this.weights.values()) v.dispose();
    this.disposed = true;
  }

  private assertAlive(): void {
    if (this.disposed) throw new EffnetError('DISPOSED', 'this model was disposed');
  }
}
