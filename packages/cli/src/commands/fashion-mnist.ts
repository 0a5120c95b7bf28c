import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { EffnetError, type ComputeEngine } from '@effnet/core';
import { FASHION_MNIST_CLASSES } from '@effnet/progressive';
import { trainCommand, type TrainCommandResult } from './train.js';

/**
 * The small EfficientNetV2 the main job trains: B0's block strings at a quarter of the width and
 * depth, with the second stage at stride 1 instead of 2, so that 28 px images keep 14x14 maps
 * through the Fused-MBConv stages (B0's strides leave 1x1 maps at the end for 28 px).
 */
export const FASHION_MNIST_ARCH = {
  blocks: [
    'r1_k3_s1_e1_i32_o16_c1',
    'r2_k3_s1_e4_i16_o32_c1',
    'r2_k3_s2_e4_i32_o48_c1',
    'r3_k3_s2_e4_i48_o96_se0.25',
    'r5_k3_s1_e6_i96_o112_se0.25',
    'r8_k3_s2_e6_i112_o192_se0.25',
  ],
  width: 0.25,
  depth: 0.25,
  dropPathRate: 0,
  name: 'efficientnetv2-b0-w0.25-d0.25-s1',
};

/** Dropout of the main job's first and last stage. */
export const FASHION_MNIST_DROPOUT: [number, number] = [0, 0.05];

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
  /** Dropout before the classifier at the first and the last stage (linear in between). */
  dropout?: [number, number];
  backend: string;
  /** Data-parallel worker threads besides the main one, or `auto` (default). */
  workers?: number | 'auto';
  /** How passes run (default `auto`: the backend's compiled engine where it has one). */
  engine?: ComputeEngine;
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

/** What a run of the main job writes into its output folder (and nothing else). */
export const RUN_ENTRIES = ['arch.json', 'schedule.json', 'checkpoint', 'metrics.jsonl', 'model', 'report'];

/** Temporary files and folders the atomic writers leave beside an entry while they write it. */
const TEMPORARY_ENTRY = /^\.(?:arch\.json|schedule\.json|checkpoint|metrics\.jsonl|model|report)\.(?:tmp|old)-[0-9]+-[a-z0-9]+$/;

/**
 * Makes `out` ready for a fresh run: a missing or empty folder is fine; a folder that holds a
 * previous run (only the entries a run writes) has those entries removed; anything else is
 * refused, so that a user's own files are never deleted.
 */
export async function clearPreviousRun(out: string): Promise<void> {
  const info = await stat(out).catch(() => undefined);
  if (!info) return;
  if (!info.isDirectory()) throw new EffnetError('REFUSE_OVERWRITE', 'is a file, not a folder', { file: out, field: '--out', expected: 'a folder for the run', actual: 'a file' });
  const entries = await readdir(out);
  const foreign = entries.filter((e) => !RUN_ENTRIES.includes(e) && !TEMPORARY_ENTRY.test(e));
  if (foreign.length) {
    throw new EffnetError('REFUSE_OVERWRITE', 'holds files that a run of fashion-mnist did not write; refusing to replace it (choose another --out, or --resume a run)', {
      file: out,
      field: '--out',
      expected: `an empty folder or a previous run (${RUN_ENTRIES.join(', ')})`,
      actual: foreign.slice(0, 3).join(', ') + (foreign.length > 3 ? `, ... (${foreign.length} entries)` : ''),
    });
  }
  for (const e of entries) await rm(path.join(out, e), { recursive: true, force: true });
}

/**
 * The main job: trains a small EfficientNetV2 on Fashion-MNIST (60k/10k) with a progressive
 * schedule (image size, dropout and augmentation rising by stage) or, with `fixed`, at the last
 * size only; evaluates the full test set with the EMA weights, saves the model and the report.
 */
export async function runFashionMnist(o: FashionMnistOptions): Promise<FashionMnistResult> {
  const { writeFileAtomic } = await import('@effnet/core');
  if (!o.resume) await clearPreviousRun(o.out);
  const arch = o.arch ?? path.join(o.out, 'arch.json');
  if (!o.arch) await writeFileAtomic(arch, JSON.stringify(FASHION_MNIST_ARCH, null, 2));
  const n = o.sizes.length;
  const last = o.sizes[n - 1]!;
  const scheduleFile = path.join(o.out, 'schedule.json');
  const stages = (o.fixed ? [last] : o.sizes).map((imageSize, i, all) => {
    const t = all.length === 1 ? 1 : i / (all.length - 1);
    const [d0, d1] = o.dropout ?? FASHION_MNIST_DROPOUT;
    return { endEpoch: (o.epochs * (i + 1)) / all.length, imageSize, dropout: d0 + (d1 - d0) * t, randAugmentMagnitude: 0 };
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
    workers: o.workers ?? 'auto',
    ...(o.engine ? { engine: o.engine } : {}),
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
