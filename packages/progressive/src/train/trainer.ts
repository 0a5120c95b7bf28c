import { AugmentPipeline, registerAugmentations, smoothLabels, type AugmentationStep } from '@effnet/augment';
import { EffnetError, faultPoint, isGraphUnsupported, preprocessImages, recoverDir, resolveEngine, SeededRandom, type ResidentTraining } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { BatchPipeline, mixSeed, type Batch } from '../data/batch-pipeline.js';
import { evalSizeOf, stageIndexAt, totalEpochs, type Stage } from '../schedule/schedule.js';
import { checkResumable, loadCheckpointTensors, readCheckpointState, writeCheckpoint, type CheckpointState } from './checkpoint.js';
import { ParameterAverage } from './ema.js';
import { evaluateModel, type Evaluation } from './evaluate.js';
import { FlatParameters } from './flat-parameters.js';
import { GradientWorkers } from './parallel/gradient-workers.js';
import { combineStatistics, shareGradient } from './parallel/share-gradient.js';
import { learningRateAt } from './learning-rate.js';
import { createOptimizer, type FlatOptimizer } from './optimizers.js';
import type { EpochEvent, TrainEvent } from './train-events.js';
import { resolveTrainerSettings, type ResolvedTrainerSettings, type TrainerOptions } from './trainer-options.js';

/** What {@link Trainer.fit} returns. */
export interface TrainResult {
  /** Steps done in total. */
  steps: number;
  /** False when the run stopped at `maxSteps` before the end of the schedule. */
  finished: boolean;
  /** Wall seconds of training (across resumes), evaluation included. */
  elapsed: number;
  /** Of `elapsed`, the seconds spent evaluating. */
  evaluationSeconds: number;
  /** Final evaluation of the kept weights (the best epoch's, else the EMA), when an eval set was given. */
  evaluation?: Evaluation;
  /** The epoch whose weights were kept and its validation accuracy, when keeping the best. */
  best?: { epoch: number; accuracy: number };
  /** Epoch summaries. */
  history: EpochEvent[];
}

/** Weights whose names end like this get no weight decay (BatchNorm and biases, as the official code). */
const NO_DECAY = /\/(bias|gamma|beta)$/;
const AUGMENT_SEED = 0x2545f491;
const DROPOUT_SEED = 0x68e31da4;

/**
 * Progressive-learning trainer: runs a schedule's stages on one model (weights carried over),
 * setting each stage's image size, dropout, RandAugment magnitude and mixup / CutMix, with
 * RMSProp / SGD / AdamW, warm-up then exponential or cosine decay, label smoothing, weight decay
 * that skips BatchNorm and biases, an EMA of the weights for evaluation, stochastic depth,
 * gradient accumulation, a NaN guard and a checkpoint every epoch from which `resume` continues
 * exactly.
 */
export class Trainer {
  readonly settings: ResolvedTrainerSettings;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  private readonly flat: FlatParameters;
  /** BatchNorm moving statistics, restored when a step is rejected. */
  private readonly statistics: FlatParameters;
  private readonly decayMask: tf.Tensor1D;
  private readonly optimizer: FlatOptimizer;
  private readonly ema: ParameterAverage | undefined;
  /**
   * The moving average of the BatchNorm moving statistics, evaluated with the EMA weights (as the
   * official code averages them): the live statistics belong to the live weights, and after a
   * stage change they differ from what the averaged weights expect.
   */
  private readonly emaStatistics: ParameterAverage | undefined;
  private readonly pipeline: BatchPipeline;
  private readonly augmenters = new Map<number, AugmentPipeline>();
  private step = 0;
  private emaUpdates = 0;
  private elapsedBefore = 0;
  private evaluationSeconds = 0;
  private history: EpochEvent[] = [];
  /** Training with its state in the engine (undefined: not tried yet; null: not available). */
  private resident: ResidentTraining | null | undefined;
  /** Whether the engine holds the newest state (the model's weights, slots and EMA are stale). */
  private residentHolds = false;
  /** The evaluated weights and BatchNorm statistics of the epoch with the best validation accuracy. */
  private best: { epoch: number; accuracy: number; weights: Float32Array; statistics: Float32Array } | undefined;

  constructor(private readonly o: TrainerOptions) {
    this.settings = resolveTrainerSettings(o);
    registerAugmentations();
    const model = o.model;
    const trainable = model.weightDecls.filter((d) => d.trainable);
    this.flat = new FlatParameters(trainable.map((d) => model.weights.get(d.name)!));
    this.statistics = new FlatParameters(model.weightDecls.filter((d) => !d.trainable).map((d) => model.weights.get(d.name)!));
    this.decayMask = this.flat.perWeight((i) => (NO_DECAY.test(trainable[i]!.name) ? 0 : 1));
    this.optimizer = createOptimizer(this.settings.optimizer, this.flat.size);
    this.ema = this.settings.ema === false ? undefined : new ParameterAverage(this.flat.read(), this.settings.ema);
    this.emaStatistics = this.settings.ema === false ? undefined : new ParameterAverage(this.statistics.read(), this.settings.ema);
    this.pipeline = new BatchPipeline(o.train, {
      batchSize: this.settings.batchSize,
      seed: this.settings.seed,
      sizeAt: (step) => this.stageAt(step).imageSize,
      prefetch: o.prefetch ?? 2,
      ...(this.settings.crop ? { crop: this.settings.crop } : {}),
      ...(this.settings.smallImages === 'crop' ? { window: { finalSize: Math.max(...o.schedule.stages.map((s) => s.imageSize)) } } : {}),
    });
    this.stepsPerEpoch = this.pipeline.stepsPerEpoch;
    this.totalSteps = Math.round(totalEpochs(o.schedule) * this.stepsPerEpoch);
  }

  /** The stage that covers global step `step`. */
  stageAt(step: number): Stage {
    return this.o.schedule.stages[stageIndexAt(this.o.schedule, step / this.stepsPerEpoch)]!;
  }

  private emit(event: TrainEvent): void {
    this.o.onEvent?.(event);
  }

  private augmenter(index: number, stage: Stage): AugmentPipeline {
    let a = this.augmenters.get(index);
    if (!a) {
      const steps: AugmentationStep[] = [];
      if (stage.randAugmentMagnitude > 0) {
        steps.push({ name: 'randaugment', options: { numOps: this.o.schedule.randAugmentOps ?? 2, ...this.o.randAugment, magnitude: stage.randAugmentMagnitude } });
      }
      if (stage.mixupAlpha > 0 || stage.cutmixAlpha > 0) steps.push({ name: 'mixup', options: { mixupAlpha: stage.mixupAlpha, cutmixAlpha: stage.cutmixAlpha } });
      steps.push(...(this.o.augmentations ?? []));
      a = new AugmentPipeline(steps);
      this.augmenters.set(index, a);
    }
    return a;
  }

  private prepared = false;

  /** Whether the steps so far ran with the training state kept in the engine (see `keepStateInEngine`). */
  get stateInEngine(): boolean {
    return !!this.resident;
  }

  /** Steps done so far (after {@link prepare}: the checkpoint's step when resuming). */
  get currentStep(): number {
    return this.step;
  }

  /**
   * Restores the checkpoint in `checkpointDir` when resuming and there is one, after checking
   * that it fits this model and run (nothing is changed when it does not). `fit` calls it.
   */
  async prepare(): Promise<void> {
    if (this.prepared) return;
    this.prepared = true;
    const dir = this.o.checkpointDir;
    if (!this.o.resume || !dir) return;
    // A run killed while it replaced its checkpoint left it beside its place: put it back first.
    await recoverDir(dir);
    const state = await readCheckpointState(dir);
    if (!state) return;
    await checkResumable(dir, state, this.o.model, this.settings, this.o.train.length);
    const vectors = await loadCheckpointTensors(dir, this.o.model);
    const path = await import('node:path');
    const file = path.join(dir, 'vectors.safetensors');
    const take = (name: string, into: tf.Variable) => {
      const v = vectors.get(name);
      if (!v || v.length !== into.size) throw new EffnetError('BAD_CHECKPOINT', 'is missing or has the wrong size', { file, field: name, expected: into.size, actual: v?.length ?? 'nothing' });
      into.assign(tf.tensor1d(v));
    };
    for (const [name, slot] of this.optimizer.slots) take(`optimizer/${name}`, slot);
    if (this.ema) take('ema', this.ema.value);
    // Checkpoints written before statistics were averaged start the average at the statistics.
    if (this.emaStatistics) {
      if (vectors.has('ema/statistics')) take('ema/statistics', this.emaStatistics.value);
      else tf.tidy(() => this.emaStatistics!.value.assign(this.statistics.read()));
    }
    if (state.best) {
      const weights = vectors.get('best/weights');
      const statistics = vectors.get('best/statistics');
      if (weights?.length !== this.flat.size) throw new EffnetError('BAD_CHECKPOINT', 'is missing or has the wrong size', { file, field: 'best/weights', expected: this.flat.size, actual: weights?.length ?? 'nothing' });
      if (statistics?.length !== this.statistics.size) throw new EffnetError('BAD_CHECKPOINT', 'is missing or has the wrong size', { file, field: 'best/statistics', expected: this.statistics.size, actual: statistics?.length ?? 'nothing' });
      this.best = { ...state.best, weights, statistics };
    }
    this.o.model.random.state = state.modelRandom;
    this.step = state.step;
    this.emaUpdates = state.emaUpdates;
    this.elapsedBefore = state.elapsed;
    this.evaluationSeconds = state.evaluationSeconds ?? 0;
    this.history = state.history;
  }

  private async checkpoint(elapsed: number): Promise<void> {
    this.syncFromEngine();
    const dir = this.o.checkpointDir;
    if (!dir) return;
    const state: CheckpointState = {
      format: 'effnet-checkpoint',
      version: 1,
      step: this.step,
      elapsed,
      architecture: this.o.model.spec,
      schedule: this.o.schedule,
      settings: this.settings,
      trainExamples: this.o.train.length,
      modelRandom: this.o.model.random.state,
      emaUpdates: this.emaUpdates,
      history: this.history,
      evaluationSeconds: this.evaluationSeconds,
      ...(this.best ? { best: { epoch: this.best.epoch, accuracy: this.best.accuracy } } : {}),
    };
    const vectors = new Map<string, tf.Tensor1D>([...this.optimizer.slots].map(([k, v]) => [`optimizer/${k}`, v as tf.Tensor1D]));
    if (this.ema) vectors.set('ema', this.ema.value as tf.Tensor1D);
    if (this.emaStatistics) vectors.set('ema/statistics', this.emaStatistics.value as tf.Tensor1D);
    const kept = this.best ? [tf.tensor1d(this.best.weights), tf.tensor1d(this.best.statistics)] : [];
    if (kept.length) {
      vectors.set('best/weights', kept[0]!);
      vectors.set('best/statistics', kept[1]!);
    }
    try {
      await writeCheckpoint(dir, this.o.model, state, vectors);
    } finally {
      tf.dispose(kept);
    }
    this.emit({ type: 'checkpoint', step: this.step, dir });
  }

  /**
   * One optimizer step on a batch, inside `tf.tidy`: micro-batches (augmented, forward and
   * backward) accumulate into one flat gradient; weight decay, the optimizer and the EMA update
   * follow unless the loss or the gradient is not finite, in which case the BatchNorm statistics
   * are put back and the step throws. Returns mean loss and accuracy.
   */
  private trainStep(batch: Batch, stage: Stage, stageIndex: number, lr: number): { loss: number; accuracy: number } {
    const resident = this.residentTraining();
    if (resident) {
      const r = this.residentStep(resident, batch, stage, stageIndex, lr);
      if (r) return r;
    }
    const statistics = this.statistics.read();
    try {
      const result = tf.tidy(() => {
        const g = this.sequentialGradient(batch, stage, stageIndex);
        return this.update(g.gradient, g.loss, g.correct, batch, lr, statistics);
      });
      if (this.ema) this.emaUpdates++;
      return result;
    } finally {
      statistics.dispose();
    }
  }

  /** The engine's resident training when this run can use it (whole batches, no workers). */
  private residentTraining(): ResidentTraining | undefined {
    if (this.resident !== undefined) return this.resident ?? undefined;
    this.resident = null;
    const s = this.settings;
    if (this.o.keepStateInEngine === false || s.microBatchSize < s.batchSize || (this.o.parallel?.workers ?? 0) > 0) return undefined;
    const compiler = resolveEngine(s.engine, tf.getBackend());
    if (!compiler?.residentTraining) return undefined;
    const trainable = this.o.model.weightDecls.filter((d) => d.trainable);
    const mask = new Float32Array(this.flat.size);
    let offset = 0;
    for (const d of trainable) {
      const n = d.shape.reduce((a, b) => a * b, 1);
      mask.fill(NO_DECAY.test(d.name) ? 0 : 1, offset, offset + n);
      offset += n;
    }
    this.resident = compiler.residentTraining(this.o.model, { optimizer: this.optimizer.config, weightDecay: s.weightDecay, decayMask: mask, ema: this.ema !== undefined });
    return this.resident;
  }

  /** Moves the training state from the engine back into the model, the optimizer and the EMA. */
  private syncFromEngine(): void {
    if (!this.residentHolds || !this.resident) return;
    const state = this.resident.read();
    this.flat.writeArray(state.weights);
    this.statistics.writeArray(state.statistics);
    for (const [name, slot] of this.optimizer.slots) tf.tidy(() => slot.assign(tf.tensor1d(state.slots[name]!)));
    if (this.ema && state.ema) tf.tidy(() => this.ema!.value.assign(tf.tensor1d(state.ema!)));
    if (this.emaStatistics && state.emaStatistics) tf.tidy(() => this.emaStatistics!.value.assign(tf.tensor1d(state.emaStatistics!)));
    this.residentHolds = false;
  }

  /**
   * A step with the state in the engine: augmentation here, then one call for the passes, the
   * optimizer and the EMA. Undefined when the engine declines the network (the caller steps the
   * other way).
   */
  private residentStep(resident: ResidentTraining, batch: Batch, stage: Stage, stageIndex: number, lr: number): { loss: number; accuracy: number } | undefined {
    const { model } = this.o;
    const s = this.settings;
    if (!this.residentHolds) {
      const slots: Record<string, Float32Array> = {};
      for (const [name, slot] of this.optimizer.slots) slots[name] = slot.dataSync() as Float32Array;
      resident.load({ weights: this.flat.readArray(), statistics: this.statistics.readArray(), slots, ...(this.ema ? { ema: this.ema.value.dataSync() as Float32Array } : {}), ...(this.emaStatistics ? { emaStatistics: this.emaStatistics.value.dataSync() as Float32Array } : {}) });
      this.residentHolds = true;
    }
    const [b, size] = [batch.images.shape[0], batch.images.shape[1]];
    const rng = new SeededRandom(mixSeed(s.seed ^ AUGMENT_SEED, batch.step));
    const augmenter = this.augmenter(stageIndex, stage);
    const { x, y } = tf.tidy(() => {
      const onehot = tf.cast(tf.oneHot(tf.tensor1d(batch.labels.subarray(0, b), 'int32'), model.spec.numClasses), 'float32') as tf.Tensor2D;
      const aug = augmenter.run(batch.images, onehot, rng);
      return { x: preprocessImages(aug.images, model.spec, size) as tf.Tensor4D, y: smoothLabels(aug.labels!, s.labelSmoothing) as tf.Tensor2D };
    });
    let r;
    try {
      r = resident.step(x, y, {
        dropout: stage.dropout,
        dropPathRate: stage.dropPathRate ?? s.dropPathRate,
        updateStatistics: true,
        learningRate: lr,
        step: batch.step,
        emaDecay: this.ema ? this.ema.decayAt(this.emaUpdates) : 0,
      });
    } catch (e) {
      if (!isGraphUnsupported(e)) throw e;
      this.syncFromEngine();
      resident.dispose();
      this.resident = null;
      return undefined;
    } finally {
      tf.dispose([x, y]);
    }
    if (!r.applied) {
      const what = Number.isFinite(r.loss) ? `the gradient is ${r.gradientNorm2}` : `the loss is ${r.loss}`;
      throw new EffnetError('NOT_FINITE', `training stopped at step ${batch.step} (epoch ${(batch.step / this.stepsPerEpoch).toFixed(2)}, image size ${size}, learning rate ${lr.toPrecision(3)}): ${what}; the weights are left as they were before this step and the last checkpoint is kept. Lower the learning rate or lengthen the warm-up`, { field: Number.isFinite(r.loss) ? 'gradient' : 'loss' });
    }
    if (this.ema) this.emaUpdates++;
    return { loss: r.loss, accuracy: r.correct / b };
  }

  /** The flat gradient of a batch, micro-batch after micro-batch on this thread. */
  private sequentialGradient(batch: Batch, stage: Stage, stageIndex: number): { gradient: tf.Tensor1D; loss: tf.Scalar; correct: tf.Scalar } {
    const { model } = this.o;
    const s = this.settings;
    const rng = new SeededRandom(mixSeed(s.seed ^ AUGMENT_SEED, batch.step));
    const augmenter = this.augmenter(stageIndex, stage);
    const numClasses = model.spec.numClasses;
    const [b, size] = [batch.images.shape[0], batch.images.shape[1]];
    const dropPathRate = stage.dropPathRate ?? s.dropPathRate;
    let gradient: tf.Tensor1D | undefined;
    let loss: tf.Scalar = tf.scalar(0);
    let correct: tf.Scalar = tf.scalar(0);
    for (let start = 0; start < b; start += s.microBatchSize) {
      const m = Math.min(s.microBatchSize, b - start);
      const images = tf.slice(batch.images, [start, 0, 0, 0], [m, size, size, 3]);
      const onehot = tf.cast(tf.oneHot(tf.tensor1d(batch.labels.subarray(start, start + m), 'int32'), numClasses), 'float32') as tf.Tensor2D;
      const aug = augmenter.run(images, onehot, rng);
      const x = preprocessImages(aug.images, model.spec, size) as tf.Tensor4D;
      const y = smoothLabels(aug.labels!, s.labelSmoothing) as tf.Tensor2D;
      const g = shareGradient(model, this.flat, x, y, { batchSize: b, microBatchSize: m, dropout: stage.dropout, dropPathRate, engine: s.engine });
      gradient = gradient ? (tf.add(gradient, g.gradient) as tf.Tensor1D) : g.gradient;
      loss = tf.add(loss, g.loss);
      correct = tf.add(correct, g.correct);
    }
    return { gradient: gradient!, loss, correct };
  }

  /**
   * One optimizer step with the batch split into equal shares, one per thread: this thread
   * computes the first share while each gradient worker computes another on its replica (same
   * weights and BatchNorm statistics); gradients are summed in share order and the BatchNorm
   * statistics combined as if the shares had run one after another. Augmentation runs here, with
   * the same random sequence as a sequential step.
   */
  private async parallelStep(pool: GradientWorkers, batch: Batch, stage: Stage, stageIndex: number, lr: number): Promise<{ loss: number; accuracy: number }> {
    const { model } = this.o;
    const s = this.settings;
    const [b, size] = [batch.images.shape[0], batch.images.shape[1]];
    const shares = Math.min(pool.size + 1, b);
    const bounds = Array.from({ length: shares + 1 }, (_, k) => k * Math.floor(b / shares) + Math.min(k, b % shares));
    const dropPathRate = stage.dropPathRate ?? s.dropPathRate;
    const numClasses = model.spec.numClasses;
    const statistics = this.statistics.read();
    try {
      // Augment every share here, in order, with the step's random sequence.
      const rng = new SeededRandom(mixSeed(s.seed ^ AUGMENT_SEED, batch.step));
      const augmenter = this.augmenter(stageIndex, stage);
      const inputs = bounds.slice(0, -1).map((start, k) => tf.tidy(() => {
        const m = bounds[k + 1]! - start;
        const images = tf.slice(batch.images, [start, 0, 0, 0], [m, size, size, 3]);
        const onehot = tf.cast(tf.oneHot(tf.tensor1d(batch.labels.subarray(start, start + m), 'int32'), numClasses), 'float32') as tf.Tensor2D;
        const aug = augmenter.run(images, onehot, rng);
        return { x: preprocessImages(aug.images, model.spec, size) as tf.Tensor4D, y: smoothLabels(aug.labels!, s.labelSmoothing) as tf.Tensor2D };
      }));
      const common = { weights: this.flat.readArray(), statistics: this.statistics.readArray(), numClasses, batchSize: b, microBatchSize: s.microBatchSize, dropout: stage.dropout, dropPathRate };
      const answers = pool.run(inputs.slice(1).map(({ x, y }, k) => ({
        ...common,
        images: x.dataSync().slice() as Float32Array,
        imageShape: x.shape,
        labels: y.dataSync().slice() as Float32Array,
        seed: mixSeed(s.seed ^ DROPOUT_SEED, batch.step * shares + k + 1),
      })));
      let own: { gradient: tf.Tensor1D; loss: tf.Scalar; correct: tf.Scalar };
      let ownUpdates = 0;
      try {
        own = tf.tidy(() => {
          const g = shareGradient(model, this.flat, inputs[0]!.x, inputs[0]!.y, { batchSize: b, microBatchSize: s.microBatchSize, dropout: stage.dropout, dropPathRate, engine: s.engine });
          ownUpdates = g.updates;
          return { gradient: g.gradient, loss: g.loss, correct: g.correct };
        });
      } catch (e) {
        await answers.catch(() => undefined);
        throw e;
      } finally {
        for (const { x, y } of inputs) tf.dispose([x, y]);
      }
      const results = await answers.catch((e: unknown) => {
        tf.dispose([own.gradient, own.loss, own.correct]);
        throw e;
      });
      const result = tf.tidy(() => {
        let gradient = own.gradient;
        let loss: tf.Scalar = own.loss;
        for (const r of results) {
          gradient = tf.add(gradient, tf.tensor1d(r.gradient)) as tf.Tensor1D;
          loss = tf.add(loss, r.loss);
        }
        const correct = tf.scalar(results.reduce((sum, r) => sum + r.correct, own.correct.dataSync()[0]!));
        const mine = this.statistics.read();
        this.statistics.write(combineStatistics(statistics, [mine, ...results.map((r) => tf.tensor1d(r.statistics))], [ownUpdates, ...results.map((r) => r.updates)], model.spec.bnMomentum));
        try {
          return this.update(gradient, loss, correct, batch, lr, statistics);
        } finally {
          tf.dispose([own.gradient, own.loss, own.correct]);
        }
      });
      if (this.ema) this.emaUpdates++;
      return result;
    } finally {
      statistics.dispose();
    }
  }

  /**
   * Applies a batch's flat gradient: the NaN guard (restoring `statistics`, the BatchNorm
   * statistics from before the step, and throwing), weight decay, the optimizer and the EMA.
   */
  private update(gradient: tf.Tensor1D, loss: tf.Scalar, correct: tf.Scalar, batch: Batch, lr: number, statistics: tf.Tensor1D): { loss: number; accuracy: number } {
    const s = this.settings;
    const [b, size] = [batch.images.shape[0], batch.images.shape[1]];
    const check = tf.stack([loss, tf.sum(tf.square(gradient)), correct]).dataSync();
    const [lossValue, gradNorm2, correctCount] = [check[0]!, check[1]!, check[2]!];
    if (!Number.isFinite(lossValue) || !Number.isFinite(gradNorm2)) {
      this.statistics.write(statistics);
      const what = Number.isFinite(lossValue) ? `the gradient is ${gradNorm2}` : `the loss is ${lossValue}`;
      throw new EffnetError('NOT_FINITE', `training stopped at step ${batch.step} (epoch ${(batch.step / this.stepsPerEpoch).toFixed(2)}, image size ${size}, learning rate ${lr.toPrecision(3)}): ${what}; the weights are left as they were before this step and the last checkpoint is kept. Lower the learning rate or lengthen the warm-up`, { field: Number.isFinite(lossValue) ? 'gradient' : 'loss' });
    }
    const params = this.flat.read();
    let g = gradient;
    let decay: tf.Tensor1D | undefined;
    if (s.weightDecay > 0) {
      if (s.optimizer.type === 'adamw') decay = tf.mul(this.decayMask, lr * s.weightDecay) as tf.Tensor1D;
      else g = tf.add(g, tf.mul(tf.mul(params, this.decayMask), s.weightDecay)) as tf.Tensor1D;
    }
    const next = this.optimizer.update(params, g, lr, batch.step, decay);
    this.flat.write(next);
    if (this.ema) this.ema.update(next, this.emaUpdates);
    if (this.emaStatistics) tf.tidy(() => this.emaStatistics!.update(this.statistics.read(), this.emaUpdates));
    return { loss: lossValue, accuracy: correctCount / b };
  }

  /** Evaluates the evaluation set with the EMA weights (or the current ones without EMA) at `size`. */
  async evaluate(size = evalSizeOf(this.o.schedule)): Promise<Evaluation | undefined> {
    this.syncFromEngine();
    if (!this.o.eval) return undefined;
    return this.withEvalWeights(() => evaluateModel(this.o.model, this.o.eval!, size, this.settings.evalBatchSize));
  }

  /**
   * The end-of-epoch evaluations with the EMA weights: validation data (updating the kept best
   * weights when it is the most accurate epoch so far) and evaluation data.
   */
  private async evaluateEpoch(epoch: number): Promise<{ fields: Partial<EpochEvent>; test?: Evaluation }> {
    this.syncFromEngine();
    const size = evalSizeOf(this.o.schedule);
    const bs = this.settings.evalBatchSize;
    return this.withEvalWeights(async () => {
      const fields: Partial<EpochEvent> = {};
      if (this.o.validation) {
        const v = await evaluateModel(this.o.model, this.o.validation, size, bs);
        Object.assign(fields, { validationLoss: v.loss, validationAccuracy: v.accuracy });
        if (this.settings.keepBest && (!this.best || v.accuracy > this.best.accuracy)) {
          this.best = { epoch, accuracy: v.accuracy, weights: this.flat.readArray(), statistics: this.statistics.readArray() };
        }
      }
      faultPoint('evaluation', 'running');
      const test = this.o.eval ? await evaluateModel(this.o.model, this.o.eval, size, bs) : undefined;
      if (test) Object.assign(fields, { evalLoss: test.loss, evalAccuracy: test.accuracy, evalSize: size });
      return { fields, ...(test ? { test } : {}) };
    });
  }

  /** Runs `fn` with the kept weights in the model (the best epoch's, else the EMA), then puts the training state back. */
  private async withKeptWeights<T>(fn: () => Promise<T>): Promise<T> {
    this.syncFromEngine();
    const best = this.best;
    if (!best) return this.withEvalWeights(fn);
    const [weights, statistics] = [this.flat.readArray(), this.statistics.readArray()];
    this.flat.writeArray(best.weights);
    this.statistics.writeArray(best.statistics);
    try {
      return await fn();
    } finally {
      this.flat.writeArray(weights);
      this.statistics.writeArray(statistics);
    }
  }

  /** Runs `fn` with the EMA weights in the model, then puts the training weights back. */
  async withEvalWeights<T>(fn: () => Promise<T>): Promise<T> {
    this.syncFromEngine();
    if (!this.ema) return fn();
    const current = this.flat.read();
    const statistics = this.statistics.read();
    this.flat.write(this.ema.value as tf.Tensor1D);
    if (this.emaStatistics) this.statistics.write(this.emaStatistics.value as tf.Tensor1D);
    try {
      return await fn();
    } finally {
      this.flat.write(current);
      this.statistics.write(statistics);
      tf.dispose([current, statistics]);
    }
  }

  /**
   * Puts the kept weights into the model for good (at the end of training, before saving): the
   * best epoch's weights and BatchNorm statistics when keeping the best, else the EMA.
   */
  useEvalWeights(): void {
    this.syncFromEngine();
    if (this.best) {
      this.flat.writeArray(this.best.weights);
      this.statistics.writeArray(this.best.statistics);
    } else if (this.ema) {
      this.flat.write(this.ema.value as tf.Tensor1D);
      if (this.emaStatistics) this.statistics.write(this.emaStatistics.value as tf.Tensor1D);
    }
  }

  /** Runs the schedule (or continues it from the checkpoint when resuming). */
  async fit(): Promise<TrainResult> {
    await this.prepare();
    const s = this.settings;
    const stop = Math.min(this.totalSteps, this.o.maxSteps ?? Infinity);
    const t0 = performance.now();
    const elapsed = () => this.elapsedBefore + (performance.now() - t0) / 1000;
    this.emit({ type: 'start', step: this.step, totalSteps: this.totalSteps, stepsPerEpoch: this.stepsPerEpoch, epochs: totalEpochs(this.o.schedule), schedule: this.o.schedule.name, parameters: this.flat.size });
    let stageIndex = -1;
    let epochLoss = 0;
    let epochAccuracySum = 0;
    let epochSteps = 0;
    let rate = { images: 0, seconds: 0 };
    let lastEvaluation: { step: number; test?: Evaluation } | undefined;
    const p = this.o.parallel;
    let pool: GradientWorkers | undefined;
    let loaderThread = false;
    try {
      if (p && p.workers > 0 && this.step < stop) pool = await GradientWorkers.start(p.workers, { spec: this.o.model.spec, setupModule: p.setupModule, setupArgument: p.setupArgument });
      if ((this.o.loaderThread ?? tf.getBackend() === 'tensorflow') && this.step < stop) loaderThread = (await this.o.train.startLoaderThread?.()) ?? false;
      while (this.step < stop) {
        const index = stageIndexAt(this.o.schedule, this.step / this.stepsPerEpoch);
        const stage = this.o.schedule.stages[index]!;
        if (index !== stageIndex) {
          stageIndex = index;
          this.o.onStage?.(stage, index);
          this.emit({ type: 'stage', step: this.step, index, stages: this.o.schedule.stages.length, stage });
        }
        const started = performance.now();
        const batch = await this.pipeline.get(this.step, stop);
        const lr = learningRateAt(s.learningRate, this.step, this.stepsPerEpoch, this.totalSteps, s.batchSize);
        let r: { loss: number; accuracy: number };
        try {
          r = pool ? await this.parallelStep(pool, batch, stage, index, lr) : this.trainStep(batch, stage, index, lr);
        } finally {
          batch.images.dispose();
        }
        this.step++;
        epochLoss += r.loss;
        epochAccuracySum += r.accuracy;
        epochSteps++;
        const seconds = (performance.now() - started) / 1000;
        rate = { images: rate.images * 0.9 + s.batchSize, seconds: rate.seconds * 0.9 + seconds };
        const perStep = rate.seconds / (rate.images / s.batchSize);
        this.emit({
          type: 'step',
          step: this.step,
          epoch: this.step / this.stepsPerEpoch,
          stage: index,
          imageSize: stage.imageSize,
          magnitude: stage.randAugmentMagnitude,
          mixupAlpha: stage.mixupAlpha,
          cutmixAlpha: stage.cutmixAlpha,
          dropout: stage.dropout,
          learningRate: lr,
          loss: r.loss,
          accuracy: r.accuracy,
          imagesPerSecond: rate.images / rate.seconds,
          elapsed: elapsed(),
          eta: perStep * (stop - this.step),
        });
        const endOfEpoch = this.step % this.stepsPerEpoch === 0;
        if (endOfEpoch || this.step === stop) {
          const epoch = this.step / this.stepsPerEpoch;
          const event: EpochEvent = { type: 'epoch', epoch, step: this.step, trainLoss: epochLoss / epochSteps, trainAccuracy: epochAccuracySum / epochSteps, elapsed: 0 };
          const evalNow = (endOfEpoch && s.evalEvery > 0 && Math.round(epoch) % s.evalEvery === 0) || this.step === this.totalSteps;
          if (evalNow && (this.o.eval || this.o.validation)) {
            const started = performance.now();
            const r = await this.evaluateEpoch(epoch);
            Object.assign(event, r.fields);
            lastEvaluation = { step: this.step, ...(r.test ? { test: r.test } : {}) };
            this.evaluationSeconds += (performance.now() - started) / 1000;
          }
          event.elapsed = elapsed();
          event.evaluationSeconds = this.evaluationSeconds;
          this.history.push(event);
          this.emit(event);
          [epochLoss, epochAccuracySum, epochSteps] = [0, 0, 0];
          await this.checkpoint(elapsed());
        }
      }
    } finally {
      this.syncFromEngine();
      await Promise.all([this.pipeline.dispose(), pool?.close()]);
      if (loaderThread) await this.o.train.stopLoaderThread?.();
    }
    const finished = this.step >= this.totalSteps;
    let evaluation: Evaluation | undefined;
    if (finished && this.o.eval) {
      // The last epoch's evaluation when its weights are the ones kept; else the kept weights anew.
      const lastKept = lastEvaluation?.step === this.totalSteps && (!this.best || this.best.epoch === this.totalSteps / this.stepsPerEpoch);
      evaluation = lastKept && lastEvaluation?.test ? lastEvaluation.test : await this.withKeptWeights(() => evaluateModel(this.o.model, this.o.eval!, evalSizeOf(this.o.schedule), s.evalBatchSize));
    }
    const total = elapsed();
    const best = this.best ? { epoch: this.best.epoch, accuracy: this.best.accuracy } : undefined;
    this.emit({ type: 'end', step: this.step, finished, elapsed: total, ...(evaluation ? { evalLoss: evaluation.loss, evalAccuracy: evaluation.accuracy } : {}), ...(best ? { bestEpoch: best.epoch } : {}) });
    return { steps: this.step, finished, elapsed: total, evaluationSeconds: this.evaluationSeconds, history: this.history, ...(evaluation ? { evaluation } : {}), ...(best ? { best } : {}) };
  }

  /** Frees the optimizer slots, the EMA and the masks (not the model). */
  dispose(): void {
    this.syncFromEngine();
    this.resident?.dispose();
    this.optimizer.dispose();
    this.ema?.dispose();
    this.emaStatistics?.dispose();
    this.decayMask.dispose();
  }
}
