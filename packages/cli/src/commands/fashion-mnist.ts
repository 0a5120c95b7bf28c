import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { EffnetError, LOCK_FILE, type ComputeEngine } from '@effnet/core';
import { FASHION_MNIST_CLASSES, randomResizeSchedule, type EpochEvent, type Schedule, type SmallImages, type Stage, type StageSettings } from '@effnet/progressive';
import { FASHION_MNIST_RECIPE, type FashionMnistArm } from './fashion-mnist-recipe.js';
import { trainCommand, type TrainCommandResult } from './train.js';

export { FASHION_MNIST_ARMS, FASHION_MNIST_RECIPE, type FashionMnistArm } from './fashion-mnist-recipe.js';

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
export const FASHION_MNIST_DROPOUT: [number, number] = FASHION_MNIST_RECIPE.dropout;

/** What {@link fashionMnistSchedule} builds a schedule from. */
export interface FashionMnistScheduleOptions {
  arm: FashionMnistArm;
  epochs: number;
  sizes: number[];
  dropout: [number, number];
  magnitude: [number, number];
  mixup: [number, number];
  evalSize?: number;
  /** Seed of the random-resize draws. */
  seed: number;
}

/** The schedule of one arm (see {@link FASHION_MNIST_ARMS}). */
export function fashionMnistSchedule(o: FashionMnistScheduleOptions): Schedule {
  const n = o.sizes.length;
  const last = o.sizes[n - 1]!;
  const knobs = (t: number): Omit<StageSettings, 'imageSize'> => ({
    dropout: o.dropout[0] + (o.dropout[1] - o.dropout[0]) * t,
    randAugmentMagnitude: o.magnitude[0] + (o.magnitude[1] - o.magnitude[0]) * t,
    mixupAlpha: o.mixup[0] + (o.mixup[1] - o.mixup[0]) * t,
    cutmixAlpha: 0,
  });
  const evalSize = o.evalSize ?? last;
  if (o.arm === 'random-resize') {
    const s = randomResizeSchedule({ epochs: o.epochs, minSize: o.sizes[0]!, maxSize: last, every: 1, settings: knobs(1), seed: o.seed });
    return { ...s, evalSize };
  }
  const sizes = o.arm === 'fixed' ? [last] : o.sizes;
  const stages: Stage[] = sizes.map((imageSize, i) => ({
    startEpoch: (o.epochs * i) / sizes.length,
    endEpoch: (o.epochs * (i + 1)) / sizes.length,
    imageSize,
    ...knobs(o.arm === 'progressive' && n > 1 ? i / (n - 1) : 1),
  }));
  const name = o.arm === 'fixed' ? `fixed ${last}px` : `${o.arm} ${sizes.join('-')}px`;
  return { name, stages, evalSize };
}

/** Options of the main job. */
export interface FashionMnistOptions {
  /** Variant name or config.json (default {@link FASHION_MNIST_ARCH}). */
  arch?: string;
  epochs: number;
  batchSize: number;
  sizes: number[];
  evalSize?: number;
  /** Which schedule (default `progressive`); see {@link FASHION_MNIST_ARMS}. */
  arm?: FashionMnistArm;
  /** Same as `arm: 'fixed'`. */
  fixed?: boolean;
  lr: number;
  /** Dropout before the classifier at the first and the last stage (linear in between). */
  dropout?: [number, number];
  /** RandAugment magnitude at the first and the last stage. */
  magnitude?: [number, number];
  /** Mixup alpha at the first and the last stage. */
  mixup?: [number, number];
  /** Least share of an image's area a random resized crop covers (0: no crops or flips). */
  crop?: number;
  /** EMA decay of the evaluated weights (default: the recipe's). */
  ema?: number;
  /** How stages below the last size make their images (default: the recipe's). */
  smallImages?: SmallImages;
  /** Training examples held out to choose the kept weights (0: none; the EMA of the last epoch is kept). */
  validation?: number;
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
  /** Wall seconds of training, evaluations excluded. */
  trainSeconds: number;
  /** Wall seconds spent evaluating after each epoch. */
  evaluationSeconds: number;
  wallSeconds: number;
  steps: number;
  /** The epoch whose weights were kept (best on the validation examples). */
  bestEpoch?: number;
  /** Per epoch: training, validation and test figures and the wall time. */
  history: EpochEvent[];
  modelDir: string;
  reportDir: string;
  predictions: { index: number; label: string; predicted: string; confidence: number }[];
}

/** What a run of the main job writes into its output folder (and nothing else). */
export const RUN_ENTRIES = ['arch.json', 'schedule.json', 'checkpoint', 'metrics.jsonl', 'model', 'report', 'tensorboard', LOCK_FILE];

/** Temporary files and folders the atomic writers leave beside an entry while they write it. */
const TEMPORARY_ENTRY = /^\.(?:arch\.json|schedule\.json|checkpoint|metrics\.jsonl|model|report|tensorboard)\.(?:tmp|old)-[0-9]+-[a-z0-9]+$/;

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
  for (const e of entries) if (e !== LOCK_FILE) await rm(path.join(out, e), { recursive: true, force: true });
}

/**
 * The main job: trains a small EfficientNetV2 on Fashion-MNIST (60k/10k) with a progressive
 * schedule (image size, dropout and augmentation rising by stage) or, with `fixed`, at the last
 * size only; evaluates the full test set with the EMA weights, saves the model and the report.
 */
export async function runFashionMnist(o: FashionMnistOptions): Promise<FashionMnistResult> {
  const { lockFolder } = await import('@effnet/core');
  const release = await lockFolder(o.out, 'effnet fashion-mnist');
  try {
    return await runLocked(o);
  } finally {
    await release();
  }
}

async function runLocked(o: FashionMnistOptions): Promise<FashionMnistResult> {
  const { writeFileAtomic } = await import('@effnet/core');
  if (!o.resume) await clearPreviousRun(o.out);
  const arch = o.arch ?? path.join(o.out, 'arch.json');
  if (!o.arch) await writeFileAtomic(arch, JSON.stringify(FASHION_MNIST_ARCH, null, 2));
  const arm: FashionMnistArm = o.fixed ? 'fixed' : (o.arm ?? 'progressive');
  const r = FASHION_MNIST_RECIPE;
  const scheduleFile = path.join(o.out, 'schedule.json');
  const schedule = fashionMnistSchedule({ arm, epochs: o.epochs, sizes: o.sizes, dropout: o.dropout ?? r.dropout, magnitude: o.magnitude ?? r.magnitude, mixup: o.mixup ?? r.mixup, seed: o.seed, ...(o.evalSize ? { evalSize: o.evalSize } : {}) });
  await writeFileAtomic(scheduleFile, JSON.stringify(schedule, null, 2));
  o.log(`${schedule.name}, evaluated at ${schedule.evalSize} px after every epoch:\n${schedule.stages.map((s, i) => `  stage ${i + 1}: epochs ${Number(s.startEpoch.toFixed(2))}-${Number(s.endEpoch.toFixed(2))}, ${s.imageSize} px, RandAugment ${Number(s.randAugmentMagnitude.toFixed(2))}, mixup ${Number(s.mixupAlpha.toFixed(3))}, dropout ${Number(s.dropout.toFixed(3))}`).join('\n')}\n`);
  const crop = o.crop ?? r.crop;
  const validation = o.validation ?? r.validation;
  const res: TrainCommandResult = await trainCommand({
    data: 'fashion-mnist',
    arch,
    out: o.out,
    schedule: scheduleFile,
    batchSize: o.batchSize,
    optimizer: 'rmsprop',
    lr: o.lr,
    lrDecay: 'cosine',
    warmupEpochs: 0.1,
    ema: o.ema ?? r.ema,
    seed: o.seed,
    backend: o.backend,
    workers: o.workers ?? 'auto',
    ...(o.engine ? { engine: o.engine } : {}),
    evalEvery: 1,
    resume: o.resume,
    ...(o.limit ? { limit: o.limit } : {}),
    ...(validation > 0 ? { validation } : {}),
    ...(crop > 0 ? { cropArea: crop } : {}),
    smallImages: o.smallImages ?? r.smallImages,
    randAugment: r.randAugment,
    log: o.log,
    tty: o.tty,
  });
  const e = res.evaluation!;
  const predictions = Array.from({ length: Math.min(o.predictions, e.predicted.length) }, (_, index) => ({
    index,
    label: FASHION_MNIST_CLASSES[res.evalData!.label(index)]!,
    predicted: FASHION_MNIST_CLASSES[e.predicted[index]!]!,
    confidence: e.confidence[index]!,
  }));
  return {
    schedule: arm,
    backend: res.backend,
    testAccuracy: e.accuracy,
    testLoss: e.loss,
    trainSeconds: res.elapsed - res.evaluationSeconds,
    evaluationSeconds: res.evaluationSeconds,
    wallSeconds: process.uptime(),
    steps: res.steps,
    ...(res.best ? { bestEpoch: res.best.epoch } : {}),
    history: res.history,
    modelDir: res.modelDir!,
    reportDir: res.reportDir,
    predictions,
  };
}
