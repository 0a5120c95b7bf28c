import { rm } from 'node:fs/promises';
import path from 'node:path';
import { FASHION_MNIST_CLASSES } from '@effnet/progressive';
import { trainCommand, type TrainCommandResult } from './train.js';

/** The small EfficientNetV2 the main job trains: B0's blocks at a quarter of the width and depth. */
export const FASHION_MNIST_ARCH = { base: 'efficientnetv2-b0', width: 0.25, depth: 0.25, dropPathRate: 0.05, name: 'efficientnetv2-b0-w0.25-d0.25' };

/** Options of the main job. */
export interface FashionMnistOptions {
  /** Variant name or config.json (default {@link FASHION_MNIST_ARCH}). */
  arch?: string;
  epochs: number;
  batchSize: number;
  sizes: number[];
  evalSize?: number;
  fixed: boolean;
  lr: number;
  backend: string;
  out: string;
  limit?: number;
  seed: number;
  predictions: number;
  resume: boolean;
  log: (text: string) => void;
  tty: boolean;
}

/** What the main job measured. */
export interface FashionMnistResult {
  schedule: string;
  backend: string;
  testAccuracy: number;
  testLoss: number;
  trainSeconds: number;
  wallSeconds: number;
  steps: number;
  modelDir: string;
  reportDir: string;
  predictions: { index: number; label: string; predicted: string; confidence: number }[];
}

/**
 * The main job: trains a small EfficientNetV2 on Fashion-MNIST (60k/10k) with a progressive
 * schedule (image size, dropout and augmentation rising by stage) or, with `fixed`, at the last
 * size only; evaluates the full test set with the EMA weights, saves the model and the report.
 */
export async function runFashionMnist(o: FashionMnistOptions): Promise<FashionMnistResult> {
  const { writeFileAtomic } = await import('@effnet/core');
  if (!o.resume) await rm(o.out, { recursive: true, force: true });
  const arch = o.arch ?? path.join(o.out, 'arch.json');
  if (!o.arch) await writeFileAtomic(arch, JSON.stringify(FASHION_MNIST_ARCH, null, 2));
  const n = o.sizes.length;
  const last = o.sizes[n - 1]!;
  const scheduleFile = path.join(o.out, 'schedule.json');
  const stages = (o.fixed ? [last] : o.sizes).map((imageSize, i, all) => {
    const t = all.length === 1 ? 1 : i / (all.length - 1);
    return { endEpoch: (o.epochs * (i + 1)) / all.length, imageSize, dropout: 0.05 + 0.1 * t, randAugmentMagnitude: 0 };
  });
  await writeFileAtomic(scheduleFile, JSON.stringify({ name: o.fixed ? `fixed ${last}px` : `progressive ${o.sizes.join('-')}px`, stages, evalSize: o.evalSize ?? last }, null, 2));
  const r: TrainCommandResult = await trainCommand({
    data: 'fashion-mnist',
    arch,
    out: o.out,
    schedule: scheduleFile,
    batchSize: o.batchSize,
    optimizer: 'rmsprop',
    lr: o.lr,
    lrDecay: 'cosine',
    warmupEpochs: 0.1,
    ema: 0.999,
    seed: o.seed,
    backend: o.backend,
    evalEvery: 0,
    resume: o.resume,
    ...(o.limit ? { limit: o.limit } : {}),
    log: o.log,
    tty: o.tty,
  });
  const e = r.evaluation!;
  const predictions = Array.from({ length: Math.min(o.predictions, e.predicted.length) }, (_, index) => ({
    index,
    label: FASHION_MNIST_CLASSES[r.evalData!.label(index)]!,
    predicted: FASHION_MNIST_CLASSES[e.predicted[index]!]!,
    confidence: e.confidence[index]!,
  }));
  return {
    schedule: o.fixed ? 'fixed' : 'progressive',
    backend: r.backend,
    testAccuracy: e.accuracy,
    testLoss: e.loss,
    trainSeconds: r.elapsed,
    wallSeconds: process.uptime(),
    steps: r.steps,
    modelDir: r.modelDir!,
    reportDir: r.reportDir,
    predictions,
  };
}
