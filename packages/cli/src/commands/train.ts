import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import { createModel, EffnetError, graphCompilerFor, type ComputeEngine, type EffNetModel } from '@effnet/core';
import { DEBIAN_FASHION_MNIST_DIR, FASHION_MNIST_CLASSES, holdOut, ImageFolderDataset, loadIdxDataset, trainToFolder, type ImageDataset, type OptimizerConfig, type Schedule, type SmallImages, type TrainToFolderResult } from '@effnet/progressive';
import type { RandAugmentOptions } from '@effnet/augment';
import { preferSmallImageThreads } from '@effnet/backends';
import { useBackend } from '../backend.js';
import { readArchArgument } from '../read-arch.js';
import { readSchedule } from './schedule.js';

/** Options of `effnet train` (already parsed). */
export interface TrainCommandOptions {
  data: string;
  evalData?: string;
  arch: string;
  out: string;
  schedule: string;
  scheduleFor?: string;
  sizes?: number[];
  evalSize?: number;
  epochs?: number;
  batchSize: number;
  microBatch?: number;
  optimizer: OptimizerConfig['type'];
  lr?: number;
  lrDecay?: 'exponential' | 'cosine' | 'constant';
  warmupEpochs?: number;
  weightDecay?: number;
  labelSmoothing?: number;
  ema?: number;
  dropPath?: number;
  seed: number;
  maxSteps?: number;
  resume?: boolean;
  backend: string;
  /** Data-parallel worker threads besides the main one (`auto`: one per extra core on single-threaded backends). */
  workers?: number | 'auto';
  /** How forward and backward passes run (default `auto`). */
  engine?: ComputeEngine;
  limit?: number;
  /** Hold out the last N training examples as validation data (chooses the kept weights). */
  validation?: number;
  /** Random resized crops: least share of the image's area a crop covers (off when undefined). */
  cropArea?: number;
  /** Probability of a horizontal flip with crops (default 0.5). */
  flip?: number;
  /** How stages below the largest size make their images: `resize` (default) or `crop` (a window at full scale). */
  smallImages?: SmallImages;
  /** RandAugment settings besides the stage's magnitude (ops, translation, cutout, fill). */
  randAugment?: Partial<RandAugmentOptions>;
  evalEvery?: number;
  log: (text: string) => void;
  tty?: boolean;
}

/**
 * Where Fashion-MNIST is looked for: `$EFFNET_FASHION_MNIST`, `data/fashion-mnist` in the current
 * folder and in the repository of the running `effnet` command, then Debian's package.
 */
export function fashionMnistDirs(): string[] {
  const bin = process.argv[1] ? path.dirname(path.resolve(process.argv[1])) : process.cwd();
  const dirs = [path.resolve('data/fashion-mnist'), path.resolve(bin, '../../../data/fashion-mnist'), DEBIAN_FASHION_MNIST_DIR];
  if (process.env.EFFNET_FASHION_MNIST) dirs.unshift(process.env.EFFNET_FASHION_MNIST);
  return [...new Set(dirs)];
}

function idxFiles(dir: string, split: 'train' | 't10k'): { images: string; labels: string } | undefined {
  const pick = (base: string) => [`${base}.gz`, base].map((f) => path.join(dir, f)).find((f) => existsSync(f));
  const images = pick(`${split}-images-idx3-ubyte`);
  const labels = pick(`${split}-labels-idx1-ubyte`);
  return images && labels ? { images, labels } : undefined;
}

/**
 * `--data`: `fashion-mnist`, a folder with IDX files (`train-…-idx…` and, for evaluation,
 * `t10k-…`), or a folder with one sub-folder per class.
 */
export async function readDatasets(data: string, evalData: string | undefined, limit?: number): Promise<{ train: ImageDataset; eval?: ImageDataset }> {
  const dir = data === 'fashion-mnist' ? fashionMnistDirs().find((d) => idxFiles(d, 'train')) : data;
  if (!dir) throw new EffnetError('NOT_FOUND', `Fashion-MNIST not found in ${fashionMnistDirs().join(', ')}`, { field: '--data' });
  const classNames = data === 'fashion-mnist' ? FASHION_MNIST_CLASSES : undefined;
  const idxTrain = idxFiles(dir, 'train');
  if (idxTrain) {
    const common = { ...(classNames ? { classNames, numClasses: classNames.length } : {}) };
    const train = await loadIdxDataset({ ...idxTrain, ...common, ...(limit ? { limit } : {}) });
    const evalFiles = evalData ? idxFiles(evalData, 't10k') ?? idxFiles(evalData, 'train') : idxFiles(dir, 't10k');
    const ev = evalFiles ? await loadIdxDataset({ ...evalFiles, numClasses: train.numClasses, ...(classNames ? { classNames } : {}) }) : undefined;
    return { train, ...(ev ? { eval: ev } : {}) };
  }
  const train = await ImageFolderDataset.open(dir);
  const ev = evalData ? await ImageFolderDataset.open(evalData, { classNames: train.classNames }) : undefined;
  return { train, ...(ev ? { eval: ev } : {}) };
}

/** Replaces a schedule's stage sizes (`--sizes 16,22,28`) and evaluation size. */
export function resizeSchedule(s: Schedule, sizes: number[] | undefined, evalSize: number | undefined): Schedule {
  if (sizes && sizes.length !== s.stages.length) {
    throw new EffnetError('BAD_OPTION', `needs one size per stage (${s.name} has ${s.stages.length} stages)`, { field: '--sizes', expected: s.stages.length, actual: sizes.length });
  }
  const stages = s.stages.map((st, i) => ({ ...st, imageSize: sizes?.[i] ?? st.imageSize }));
  const out: Schedule = { ...s, stages };
  if (evalSize !== undefined) out.evalSize = evalSize;
  else if (sizes) out.evalSize = sizes[sizes.length - 1]!;
  return out;
}

/** What `effnet train` did. */
export interface TrainCommandResult extends TrainToFolderResult {
  backend: string;
  model: EffNetModel;
  /** The evaluation data, when there was some. */
  evalData?: ImageDataset;
}

/** Backends that compute on one thread in Node, where worker threads add cores. */
const SINGLE_THREADED = new Set(['wasm', 'cpu']);

/** Smallest share of a batch `auto` gives a thread (BatchNorm needs a few images per share). */
const MIN_AUTO_SHARE = 16;

/**
 * Worker threads for `--workers`: a number as given; `auto` is one per extra core (at most 7) on
 * wasm and cpu, which use one thread in Node, as long as every thread gets at least 16 images of a
 * batch, and none on backends that use several threads already (tfjs-node, and wasm's compiled
 * engine, which splits each pass over every core itself).
 */
export function workerCount(requested: number | 'auto', backend: string, batchSize: number, engine: ComputeEngine = 'auto'): number {
  const compiled = engine !== 'eager' && graphCompilerFor(backend) !== undefined;
  const n = requested === 'auto'
    ? (SINGLE_THREADED.has(backend) && !compiled ? Math.min(7, os.availableParallelism() - 1, Math.floor(batchSize / MIN_AUTO_SHARE) - 1) : 0)
    : requested;
  return Math.max(0, Math.min(n, batchSize - 1));
}

/** The module the gradient workers import to set themselves up (this package's built `worker-setup.js`). */
export function workerSetupModule(): string {
  const here = typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url);
  const manifest = createRequire(here).resolve('@effnet/cli/package.json');
  return pathToFileURL(path.join(path.dirname(manifest), 'dist', 'worker-setup.js')).href;
}

/** `effnet train`: builds the model, data and schedule, and trains into `--out`. */
export async function trainCommand(o: TrainCommandOptions): Promise<TrainCommandResult> {
  const arch = await readArchArgument(o.arch);
  const presetFor = o.scheduleFor ?? (typeof arch.source === 'string' && /^efficientnetv2-[sml]$/.test(arch.source) ? arch.source : 'efficientnetv2-s');
  const schedule = resizeSchedule(await readSchedule(o.schedule, presetFor, o.epochs), o.sizes, o.evalSize);
  // Small images train faster on native TensorFlow with one thread per op (set before it loads).
  if (o.backend === 'auto' || o.backend === 'tfjs-node') preferSmallImageThreads(Math.max(schedule.evalSize ?? 0, ...schedule.stages.map((s) => s.imageSize)));
  const backend = await useBackend(o.backend);
  const data = await readDatasets(o.data, o.evalData, o.limit);
  const split = o.validation ? holdOut(data.train, o.validation) : undefined;
  const workers = workerCount(o.workers ?? 0, backend, o.batchSize, o.engine);
  const model = createModel(arch.source, { numClasses: data.train.numClasses, seed: o.seed, ...(data.train.classNames ? { labels: data.train.classNames } : {}), ...(arch.file ? { file: arch.file } : {}) });
  const learningRate = {
    ...(o.lr !== undefined ? { base: o.lr } : {}),
    ...(o.lrDecay ? { decay: o.lrDecay } : {}),
    ...(o.warmupEpochs !== undefined ? { warmupEpochs: o.warmupEpochs } : {}),
  };
  const result = await trainToFolder({
    model,
    train: split?.train ?? data.train,
    ...(split ? { validation: split.validation } : {}),
    ...(o.randAugment ? { randAugment: o.randAugment } : {}),
    ...(o.cropArea !== undefined ? { crop: { scale: [o.cropArea, 1] as [number, number], ...(o.flip !== undefined ? { flip: o.flip } : {}) } } : {}),
    ...(o.smallImages ? { smallImages: o.smallImages } : {}),
    ...(data.eval ? { eval: data.eval } : {}),
    schedule,
    out: o.out,
    batchSize: o.batchSize,
    ...(o.microBatch ? { microBatchSize: o.microBatch } : {}),
    ...(o.engine ? { engine: o.engine } : {}),
    optimizer: { type: o.optimizer },
    learningRate,
    ...(o.weightDecay !== undefined ? { weightDecay: o.weightDecay } : {}),
    ...(o.labelSmoothing !== undefined ? { labelSmoothing: o.labelSmoothing } : {}),
    ...(o.ema !== undefined ? { ema: o.ema === 0 ? false : o.ema } : {}),
    ...(o.dropPath !== undefined ? { dropPathRate: o.dropPath } : {}),
    ...(o.maxSteps !== undefined ? { maxSteps: o.maxSteps } : {}),
    ...(o.evalEvery !== undefined ? { evalEvery: o.evalEvery } : {}),
    seed: o.seed,
    resume: o.resume ?? false,
    title: `effnet train: ${model.spec.name} on ${o.data === 'fashion-mnist' ? 'Fashion-MNIST' : path.basename(path.resolve(o.data))}`,
    progress: o.log,
    tty: o.tty ?? false,
    ...(workers > 0 ? { parallel: { workers, setupModule: workerSetupModule(), setupArgument: backend } } : {}),
    summary: [['backend', backend], ['threads', String(workers + 1)]],
  });
  return { ...result, backend, model, ...(data.eval ? { evalData: data.eval } : {}) };
}
