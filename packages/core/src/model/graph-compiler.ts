import type * as tf from '@tensorflow/tfjs-core';
import { EffnetError, isEffnetError } from '../errors.js';
import type { EffNetModel } from './effnet-model.js';
import type { InferenceModel } from './fold-batchnorm.js';
import type { NetworkOutput } from './network-plan.js';

/**
 * How a forward or training pass runs: `eager` op by op through TF.js, `graph` as one compiled
 * graph (backends with a {@link GraphCompiler}: tfjs-node), `auto` as a graph where the active
 * backend can and eagerly otherwise.
 */
export type ComputeEngine = 'auto' | 'eager' | 'graph';

/** Settings of one training pass. */
export interface TrainingPassSettings {
  /** Dropout before the classifier. */
  dropout: number;
  /** Stochastic-depth rate. */
  dropPathRate: number;
  /** Move the BatchNorm statistics towards this batch's. */
  updateStatistics: boolean;
}

/** Loss, logits and gradients of one forward and backward pass. */
export interface TrainingPass {
  /** Mean softmax cross-entropy over the batch. */
  loss: tf.Scalar;
  /** The batch's logits (training mode). */
  logits: tf.Tensor2D;
  /** d loss / d weight, keyed by the TF.js variable name (as `tf.variableGrads` keys them). */
  grads: Record<string, tf.Tensor>;
}

/** A compiled inference pass for one input height and width (any batch size). */
export interface CompiledInference {
  /** Logits (or the output it was compiled for) of an NHWC float32 batch. */
  predict(x: tf.Tensor4D): tf.Tensor;
  /** Frees what the compiled pass holds. */
  dispose(): void;
}

/** The optimizer a resident training step applies, as the trainer's flat-vector optimizers define it. */
export type ResidentOptimizer =
  | { type: 'rmsprop'; rho: number; momentum: number; epsilon: number }
  | { type: 'sgd'; momentum: number; nesterov: boolean }
  | { type: 'adamw'; beta1: number; beta2: number; epsilon: number };

/** What a resident training step updates besides running the pass. */
export interface ResidentTrainingConfig {
  optimizer: ResidentOptimizer;
  /** Weight decay: added to the gradient (rmsprop, sgd) or decoupled (adamw); 0 for none. */
  weightDecay: number;
  /** Over the flat trainable vector: 1 where a weight decays, 0 where it does not (BatchNorm, biases). */
  decayMask: Float32Array;
  /** Whether exponential moving averages of the weights and of the BatchNorm statistics are kept. */
  ema: boolean;
}

/**
 * The whole training state as flat vectors, each in the order of the model's weight declarations:
 * what a checkpoint holds.
 */
export interface ResidentState {
  /** Trainable weights. */
  weights: Float32Array;
  /** Non-trainable weights (BatchNorm moving statistics). */
  statistics: Float32Array;
  /** Optimizer slots by name (rmsprop: `ms`, `mom`; sgd: `velocity`; adamw: `m`, `v`). */
  slots: Record<string, Float32Array>;
  /** The weights' moving average, when kept. */
  ema?: Float32Array;
  /** The moving average of the non-trainable weights (BatchNorm statistics), kept with `ema`. */
  emaStatistics?: Float32Array;
}

/** The values one resident step takes besides the batch. */
export interface ResidentStepSettings extends TrainingPassSettings {
  learningRate: number;
  /** Optimizer steps taken before this one (AdamW's bias correction). */
  step: number;
  /** Decay of this step's EMA update (ignored without an EMA). */
  emaDecay: number;
}

/** What one resident step reports. */
export interface ResidentStepResult {
  /** Mean loss over the batch. */
  loss: number;
  /** Examples whose arg-max prediction is the arg-max label. */
  correct: number;
  /** Sum of the squared gradient (before weight decay). */
  gradientNorm2: number;
  /** False when the loss or the gradient was not finite: then nothing was changed. */
  applied: boolean;
}

/**
 * Training whose state (weights, BatchNorm statistics, optimizer slots, EMA) stays inside the
 * engine between steps: a step is one call that runs the forward and backward pass, the optimizer
 * and the EMA, and returns a few numbers. The state moves in and out only through {@link load} and
 * {@link read} (checkpoints, evaluation, stage changes).
 */
export interface ResidentTraining {
  /** Makes `state` the training state (copied). */
  load(state: ResidentState): void;
  /** The current training state (copies). */
  read(): ResidentState;
  /** One optimizer step on preprocessed images `x` with soft labels; draws the masks from `model.random` as the pass does. */
  step(x: tf.Tensor4D, labels: tf.Tensor2D, settings: ResidentStepSettings): ResidentStepResult;
  /** Frees what the engine holds. */
  dispose(): void;
}

/**
 * Turns a model into whole graphs that the backend runs in one call, instead of one call per op
 * (tfjs-node registers one that runs TensorFlow graphs). A network it cannot express makes it
 * throw an EffnetError with code `GRAPH_UNSUPPORTED`; `auto` then runs eagerly.
 */
export interface GraphCompiler {
  /** The TF.js backend name whose tensors it takes (`tensorflow`). */
  readonly backend: string;
  /** Compiles a folded model's inference for inputs of `height` x `width`. */
  compileInference(model: InferenceModel, height: number, width: number, output: NetworkOutput): CompiledInference;
  /**
   * One training pass on a batch `x` with soft labels `labels` ([batch, classes]): loss, logits and
   * gradients of the trainable weights; moves the BatchNorm statistics when asked; draws the
   * dropout and stochastic-depth masks from `model.random` in the order the eager pass does.
   */
  trainingPass(model: EffNetModel, x: tf.Tensor4D, labels: tf.Tensor2D, settings: TrainingPassSettings): TrainingPass;
  /**
   * Optional: training with the state kept in the engine (see {@link ResidentTraining}); throws
   * `GRAPH_UNSUPPORTED` for networks it cannot express.
   */
  residentTraining?(model: EffNetModel, config: ResidentTrainingConfig): ResidentTraining;
}

const COMPILERS = Symbol.for('@effnet/core.graphCompilers.v1');

function compilers(): Map<string, GraphCompiler> {
  const g = globalThis as unknown as Record<symbol, Map<string, GraphCompiler> | undefined>;
  return (g[COMPILERS] ??= new Map());
}

/** Registers the graph compiler of a TF.js backend; throws if that backend already has one. */
export function registerGraphCompiler(compiler: GraphCompiler): void {
  const map = compilers();
  if (map.has(compiler.backend)) throw new EffnetError('DUPLICATE_PLUGIN', `backend "${compiler.backend}" already has a graph compiler`);
  map.set(compiler.backend, compiler);
}

/** Removes a backend's graph compiler (returns whether there was one). */
export function unregisterGraphCompiler(backend: string): boolean {
  return compilers().delete(backend);
}

/** The graph compiler for a TF.js backend name, if one is registered. */
export function graphCompilerFor(backend: string): GraphCompiler | undefined {
  return compilers().get(backend);
}

/**
 * The compiler an `engine` choice resolves to on `backend`: undefined means run eagerly.
 * `graph` on a backend without one is an error.
 */
export function resolveEngine(engine: ComputeEngine, backend: string): GraphCompiler | undefined {
  if (engine === 'eager') return undefined;
  const compiler = graphCompilerFor(backend);
  if (!compiler && engine === 'graph') {
    throw new EffnetError('GRAPH_UNAVAILABLE', 'the active backend cannot run compiled graphs (tfjs-node can)', { field: 'engine', expected: 'eager or auto', actual: `graph on ${backend}` });
  }
  return compiler;
}

/** Whether an error is a compiler declining a network (so `auto` runs it eagerly). */
export function isGraphUnsupported(e: unknown): boolean {
  return isEffnetError(e) && e.code === 'GRAPH_UNSUPPORTED';
}

const explained = new Set<string>();

/**
 * Says once per backend and reason, in one line on the console, that `auto` runs a pass op by op
 * because the backend's compiler declined the network (no silent fallback). Returns the line.
 */
export function explainEagerFallback(backend: string, e: unknown): string {
  const reason = e instanceof Error ? e.message : String(e);
  const line = `effnet: ${backend}'s compiled engine cannot run this network (${reason}); running it op by op`;
  if (!explained.has(line)) {
    explained.add(line);
    console.warn(line);
  }
  return line;
}
