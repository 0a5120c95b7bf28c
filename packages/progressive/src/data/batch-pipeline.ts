import { SeededRandom } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';
import type { ImageDataset } from './dataset.js';
import { randomCrop, type CropBox, type ResolvedCropOptions } from './random-crop.js';

/** One training batch: images `[B, size, size, 3]` (0..255) and their classes. */
export interface Batch {
  step: number;
  images: tf.Tensor4D;
  labels: Int32Array;
}

/** Options of {@link BatchPipeline}. */
export interface BatchPipelineOptions {
  batchSize: number;
  /** Seed of the per-epoch shuffles. */
  seed: number;
  /** The image size of each step (the schedule's stage size). */
  sizeAt: (step: number) => number;
  /** Batches loaded ahead (default 2). */
  prefetch?: number;
  /** Random resized crops and flips (none by default): boxes drawn per step from the seed. */
  crop?: ResolvedCropOptions;
  /**
   * Steps whose size is below `finalSize` cut a random window of `size / finalSize` of the image
   * (inside the crop box, if any) instead of shrinking all of it, at a whole-pixel offset of an
   * image `finalSize` pixels wide: objects keep their size in pixels from stage to stage.
   */
  window?: { finalSize: number };
}

const CROP_SEED = 0x1b873593;

/** Mixes two integers into a 32-bit seed (so that epoch e's order depends only on the seed and e). */
export function mixSeed(seed: number, n: number): number {
  let h = (seed ^ Math.imul(n + 0x632be5ab, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  return (h ^ (h >>> 13)) >>> 0;
}

/**
 * Shuffled, fixed-size batches over a dataset, resized per step to the size the schedule asks
 * for, loaded ahead of use. The order of epoch e is a seeded shuffle that depends only on
 * (seed, e), and batch s is always the same examples at the same size, so a resumed run sees
 * exactly the batches the interrupted one would have seen. The last partial batch of an epoch is
 * dropped.
 */
export class BatchPipeline {
  /** Full batches per epoch. */
  readonly stepsPerEpoch: number;
  private readonly pending = new Map<number, Promise<Batch>>();
  private order: { epoch: number; ids: Int32Array } | undefined;

  constructor(
    readonly dataset: ImageDataset,
    private readonly o: BatchPipelineOptions,
  ) {
    this.stepsPerEpoch = Math.floor(dataset.length / o.batchSize);
  }

  /** The example order of `epoch`. */
  orderOf(epoch: number): Int32Array {
    if (this.order?.epoch === epoch) return this.order.ids;
    const ids = Int32Array.from({ length: this.dataset.length }, (_, i) => i);
    const rng = new SeededRandom(mixSeed(this.o.seed, epoch));
    for (let i = ids.length - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      const t = ids[i]!;
      ids[i] = ids[j]!;
      ids[j] = t;
    }
    this.order = { epoch, ids };
    return ids;
  }

  /** Example indices of global step `step`. */
  indicesOf(step: number): number[] {
    const epoch = Math.floor(step / this.stepsPerEpoch);
    const within = step - epoch * this.stepsPerEpoch;
    return Array.from(this.orderOf(epoch).subarray(within * this.o.batchSize, (within + 1) * this.o.batchSize));
  }

  private load(step: number): Promise<Batch> {
    const ids = this.indicesOf(step);
    const labels = Int32Array.from(ids, (i) => this.dataset.label(i));
    return this.dataset.load(ids, this.o.sizeAt(step), this.cropsOf(step)).then((images) => ({ step, images, labels }));
  }

  /**
   * The crop boxes of step `step` (undefined without `crop` or a window at this step's size): the
   * same for a step whatever ran before.
   */
  cropsOf(step: number): CropBox[] | undefined {
    const crop = this.o.crop;
    const finalSize = this.o.window?.finalSize ?? 0;
    const size = this.o.sizeAt(step);
    const windowed = size < finalSize;
    if (!crop && !windowed) return undefined;
    const rng = new SeededRandom(mixSeed(this.o.seed ^ CROP_SEED, step));
    return Array.from({ length: this.o.batchSize }, () => {
      const box = crop ? randomCrop(crop, rng, 1, 1) : { top: 0, left: 0, height: 1, width: 1, flip: false };
      if (!windowed) return box;
      const offsets = finalSize - size + 1;
      const [down, right] = [Math.floor(rng.next() * offsets), Math.floor(rng.next() * offsets)];
      return {
        top: box.top + (box.height * down) / finalSize,
        left: box.left + (box.width * right) / finalSize,
        height: (box.height * size) / finalSize,
        width: (box.width * size) / finalSize,
        flip: box.flip,
      };
    });
  }

  /**
   * The batch of `step` (the caller disposes its images), and starts loading the next ones up to
   * `lastStep` (exclusive).
   */
  async get(step: number, lastStep = Infinity): Promise<Batch> {
    const mine = this.pending.get(step) ?? this.load(step);
    this.pending.delete(step);
    for (let s = step + 1; s <= step + (this.o.prefetch ?? 2) && s < lastStep; s++) {
      if (!this.pending.has(s)) {
        const p = this.load(s);
        p.catch(() => {}); // reported when that step is asked for
        this.pending.set(s, p);
      }
    }
    return mine;
  }

  /** Frees batches loaded ahead and not used. */
  async dispose(): Promise<void> {
    const left = [...this.pending.values()];
    this.pending.clear();
    for (const p of left) {
      const b = await p.catch(() => undefined);
      b?.images.dispose();
    }
  }
}
