import { EffnetError, type SeededRandom } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { getAugmentation, type AnyAugmentation, type BatchInfo } from './plugin.js';

/** One step of a pipeline: a registered name, or a name with options, or a plugin object. */
export type AugmentationStep = string | AnyAugmentation | { name: string; options?: Record<string, unknown> };

/** The parameters a pipeline drew for one batch: one entry per step, in order. */
export interface PipelineParams {
  batch: BatchInfo;
  steps: unknown[];
}

/** An augmented batch. */
export interface AugmentedBatch {
  images: tf.Tensor4D;
  labels?: tf.Tensor2D;
}

interface ResolvedStep {
  plugin: AnyAugmentation;
  options: unknown;
}

/**
 * Augmentations run one after the other on a batch, e.g. RandAugment then mixup. Options are
 * checked when the pipeline is built; `sample` draws every step's parameters from one seeded
 * generator, `apply` runs them on the device. Images: `[B, H, W, C]` float32 in 0..255; labels:
 * `[B, numClasses]` one-hot or soft rows.
 */
export class AugmentPipeline {
  private readonly steps: ResolvedStep[];

  constructor(steps: readonly AugmentationStep[]) {
    this.steps = steps.map((step) => {
      if (typeof step === 'string') return resolve(getAugmentation(step), undefined);
      if ('sample' in step && typeof step.sample === 'function') return resolve(step as AnyAugmentation, undefined);
      const named = step as { name: string; options?: Record<string, unknown> };
      return resolve(getAugmentation(named.name), named.options);
    });
  }

  /** The names of the steps, in order. */
  get names(): string[] {
    return this.steps.map((s) => s.plugin.name);
  }

  /** Draws the parameters of every step for a batch of this shape. */
  sample(batch: BatchInfo, rng: SeededRandom): PipelineParams {
    return { batch: { ...batch }, steps: this.steps.map((s) => s.plugin.sample(batch, rng, s.options)) };
  }

  /** Applies drawn parameters; the inputs are left alone, the outputs are new tensors. */
  apply(images: tf.Tensor4D, labels: tf.Tensor2D | undefined, params: PipelineParams): AugmentedBatch {
    if (images.rank !== 4 || images.shape[0] !== params.batch.batchSize) {
      throw new EffnetError('BATCH_MISMATCH', 'images do not fit the sampled parameters', {
        field: 'images',
        expected: `[${params.batch.batchSize}, H, W, C]`,
        actual: `[${images.shape.join(', ')}]`,
      });
    }
    return tf.tidy(() => {
      let x = images;
      let y = labels;
      this.steps.forEach((s, i) => {
        const p = params.steps[i];
        const nextX = s.plugin.apply(x, p);
        if (y && s.plugin.applyToLabels) y = s.plugin.applyToLabels(y, p);
        x = nextX;
      });
      const out: AugmentedBatch = { images: x === images ? tf.clone(x) : x };
      if (y) out.labels = y === labels ? tf.clone(y) : y;
      return out as unknown as tf.TensorContainer;
    }) as unknown as AugmentedBatch;
  }

  /** `sample` and `apply` in one call, for a batch whose shape comes from `images` (and `labels`). */
  run(images: tf.Tensor4D, labels: tf.Tensor2D | undefined, rng: SeededRandom): AugmentedBatch {
    const [batchSize, height, width, channels] = images.shape;
    const batch: BatchInfo = { batchSize, height, width, channels };
    if (labels) batch.numClasses = labels.shape[1];
    return this.apply(images, labels, this.sample(batch, rng));
  }
}

function resolve(plugin: AnyAugmentation, options: unknown): ResolvedStep {
  const resolved = plugin.resolveOptions ? plugin.resolveOptions(options as Record<string, unknown> | undefined) : (options ?? {});
  return { plugin, options: resolved };
}
