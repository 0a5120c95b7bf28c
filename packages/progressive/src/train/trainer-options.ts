import type { AugmentationStep, RandAugmentOptions } from '@effnet/augment';
import { FieldChecker, type ComputeEngine, type EffNetModel } from '@effnet/core';
import type { ImageDataset } from '../data/dataset.js';
import { resolveCropOptions, type RandomCropOptions, type ResolvedCropOptions } from '../data/random-crop.js';
import type { Schedule, Stage } from '../schedule/schedule.js';
import { resolveLearningRate, type LearningRateConfig } from './learning-rate.js';
import { resolveOptimizerConfig, type OptimizerConfig } from './optimizers.js';
import type { TrainEvent } from './train-events.js';

/** Options of {@link Trainer}. Defaults follow the official ImageNet recipe where one exists. */
export interface TrainerOptions {
  /** The model to train (weights carry over across stages). */
  model: EffNetModel;
  /** Training data. */
  train: ImageDataset;
  /** Evaluation data (evaluated with the EMA weights at the schedule's eval size). */
  eval?: ImageDataset;
  /**
   * Held-out data evaluated with `eval` after every evaluated epoch; the weights of the epoch
   * where it was most accurate are the ones kept at the end (see `keepBest`). Keep it apart from
   * `eval`, so that the test set only reports.
   */
  validation?: ImageDataset;
  /** Keep the evaluated weights of the epoch with the best validation accuracy (default: true with `validation`). */
  keepBest?: boolean;
  /** Random resized crops and horizontal flips of the training images (default: none). */
  crop?: RandomCropOptions | false;
  /**
   * How a stage smaller than the schedule's largest size makes its images: `resize` (default, the
   * paper's progressive resizing: the whole image scaled down) or `crop` (a random window of the
   * stage's size at the largest stage's scale, so that objects keep their size in pixels and only
   * the field of view grows; for small images, where scaling changes what a network sees).
   */
  smallImages?: SmallImages;
  /** The progressive schedule (see `buildSchedule`). */
  schedule: Schedule;
  /** Images per optimizer step (default 32). */
  batchSize?: number;
  /** Split each batch into micro-batches of this size and accumulate their gradients (default: no split). */
  microBatchSize?: number;
  /**
   * How forward and backward passes run: `auto` (default) as one compiled TensorFlow graph on
   * tfjs-node and op by op elsewhere, `eager` always op by op, `graph` requires a compiled graph.
   */
  engine?: ComputeEngine;
  /**
   * Keep the training state (weights, BatchNorm statistics, optimizer slots, EMA) inside the
   * compiled engine between steps where it can (tfjs-node), so that a step is one native call
   * (default true). The state comes out for evaluation and checkpoints; results equal the other
   * path's within float rounding. Needs whole batches (no micro-batches) and no worker threads.
   */
  keepStateInEngine?: boolean;
  /** Optimizer (default RMSProp, rho 0.9, momentum 0.9, ε 1e-3). */
  optimizer?: OptimizerConfig;
  /** Learning rate (default 0.016 per 256 images, 5 warm-up epochs, ×0.97 every 2.4 epochs). */
  learningRate?: Partial<LearningRateConfig>;
  /** Label smoothing ε (default 0.1). */
  labelSmoothing?: number;
  /** Weight decay (default 1e-5): L2 for RMSProp/SGD, decoupled for AdamW; never on BatchNorm or biases. */
  weightDecay?: number;
  /** EMA decay of the weights used for evaluation (default 0.9999; false = none). */
  ema?: number | false;
  /** Stochastic-depth rate (default: the model's); a stage's `dropPathRate` wins. */
  dropPathRate?: number;
  /** Base RandAugment options (ops, translation, cutout, ...); the stage sets the magnitude. */
  randAugment?: Partial<RandAugmentOptions>;
  /** Extra augmentation steps run after RandAugment and mixup / CutMix. */
  augmentations?: AugmentationStep[];
  /** Seed of the data order and augmentation (default 0); the model's own random state drives dropout. */
  seed?: number;
  /** Folder of the checkpoint written at the end of every epoch. */
  checkpointDir?: string;
  /** Continue from the checkpoint in `checkpointDir` when there is one. */
  resume?: boolean;
  /** Stop after this many steps in total (a checkpoint is written there). */
  maxSteps?: number;
  /** Evaluate every this many epochs (default 1; 0: only at the end). */
  evalEvery?: number;
  /** Images per evaluation batch (default 250). */
  evalBatchSize?: number;
  /** Batches loaded ahead (default 2). */
  prefetch?: number;
  /**
   * Make the batches ahead on a worker thread (Node, datasets held in memory), so the next batch
   * is cropped and resized while a step runs. Default: on tfjs-node, whose step is one blocking
   * native call; off elsewhere (wasm's compiled engine already keeps every core busy). Batches
   * are the same values either way.
   */
  loaderThread?: boolean;
  /**
   * Data parallelism over worker threads (Node): each step's batch is split into `workers + 1`
   * equal shares, one computed here and one by each worker on its own replica of the model. In
   * Node, TF.js's wasm and cpu backends use one core, so this is how training uses the others.
   * Runs are reproducible for a given worker count.
   */
  parallel?: DataParallelOptions;
  /** Called with every event (start, stage, step, epoch, checkpoint, end). */
  onEvent?: (event: TrainEvent) => void;
  /** Called when a stage starts, with its settings (user knobs in `stage.extra`). */
  onStage?: (stage: Stage, index: number) => void;
}

/** How {@link TrainerOptions.parallel} starts its workers. */
export interface DataParallelOptions {
  /** Worker threads besides this one (0: none). */
  workers: number;
  /**
   * Module each worker imports first (file URL or package name): it registers the blocks and
   * variants the model uses and selects the TF.js backend; a default-exported function is
   * awaited with `setupArgument`.
   */
  setupModule: string;
  /** Passed to the setup module's default export (e.g. the backend name). */
  setupArgument?: unknown;
}

/** The numeric settings of a run, checked, with defaults filled in. */
export interface ResolvedTrainerSettings {
  batchSize: number;
  microBatchSize: number;
  engine: ComputeEngine;
  optimizer: Required<OptimizerConfig>;
  learningRate: LearningRateConfig;
  labelSmoothing: number;
  weightDecay: number;
  ema: number | false;
  dropPathRate: number;
  seed: number;
  evalEvery: number;
  evalBatchSize: number;
  crop: ResolvedCropOptions | false;
  smallImages: SmallImages;
  keepBest: boolean;
}

/** How a progressive stage makes images smaller than the last stage's: see `TrainerOptions.smallImages`. */
export type SmallImages = 'resize' | 'crop';

/** Checks the numeric options; errors name the option. */
export function resolveTrainerSettings(o: TrainerOptions): ResolvedTrainerSettings {
  const c = new FieldChecker(undefined, 'BAD_TRAINER_OPTION');
  const batchSize = c.int(o.batchSize ?? 32, 'batchSize', { min: 1 });
  const microBatchSize = c.int(o.microBatchSize ?? batchSize, 'microBatchSize', { min: 1, max: batchSize });
  if (o.train.length < batchSize) c.fail('batchSize', 'is larger than the training set', `<= ${o.train.length}`, batchSize);
  if (o.parallel) c.int(o.parallel.workers, 'parallel.workers', { min: 0, max: batchSize - 1 });
  const engine = o.engine ?? 'auto';
  if (!['auto', 'eager', 'graph'].includes(engine)) c.fail('engine', 'is not a compute engine', 'auto, eager or graph', engine);
  return {
    batchSize,
    microBatchSize,
    engine,
    optimizer: resolveOptimizerConfig(o.optimizer ?? { type: 'rmsprop' }),
    learningRate: resolveLearningRate(o.learningRate ?? {}),
    labelSmoothing: c.number(o.labelSmoothing ?? 0.1, 'labelSmoothing', { min: 0, max: 1 }),
    weightDecay: c.number(o.weightDecay ?? 1e-5, 'weightDecay', { min: 0 }),
    ema: o.ema === false ? false : c.number(o.ema ?? 0.9999, 'ema', { min: 0, max: 1 }),
    dropPathRate: c.number(o.dropPathRate ?? o.model.spec.dropPathRate, 'dropPathRate', { min: 0, max: 0.999 }),
    seed: c.int(o.seed ?? 0, 'seed', { min: 0 }),
    evalEvery: c.number(o.evalEvery ?? 1, 'evalEvery', { min: 0 }),
    evalBatchSize: c.int(o.evalBatchSize ?? 250, 'evalBatchSize', { min: 1 }),
    crop: o.crop ? resolveCropOptions(o.crop) : false,
    smallImages: o.smallImages === undefined || o.smallImages === 'resize' || o.smallImages === 'crop' ? (o.smallImages ?? 'resize') : c.fail('smallImages', 'is not a way to make small images', 'resize or crop', o.smallImages),
    keepBest: o.keepBest ?? o.validation !== undefined,
  };
}
