import { getRegistry, type NamedPlugin, type SeededRandom } from '@effnet/core';
import type * as tf from '@tensorflow/tfjs-core';

/**
 * What an augmentation knows about the batch when it draws its random parameters: the shapes,
 * not the pixels, so that parameters can be drawn ahead of time (in a prefetching loader) and
 * stored as plain data.
 */
export interface BatchInfo {
  /** Number of images in the batch. */
  batchSize: number;
  /** Image height in pixels. */
  height: number;
  /** Image width in pixels. */
  width: number;
  /** Channels per pixel (3 for RGB). */
  channels: number;
  /** Number of classes of the label rows, when labels come along. */
  numClasses?: number;
}

/**
 * An augmentation in two phases. `sample` draws every random choice for one batch from a seeded
 * generator and returns it as plain data (numbers, arrays, objects: JSON-serialisable); `apply`
 * and `applyToLabels` then transform the batch on the device, deterministically from those
 * parameters. The same seed therefore gives the same batch, on any backend.
 *
 * Image convention: NHWC float32 tensors `[B, H, W, C]` with values in 0..255 (RGB, not
 * normalised). Labels are one-hot or soft rows `[B, numClasses]`. `apply` must not dispose its
 * input and must return a new tensor of the same shape (wrap it in `tf.tidy`).
 *
 * @typeParam Params - the plain-data parameters that `sample` returns.
 * @typeParam Options - the options `sample` accepts (e.g. a magnitude that a schedule changes).
 */
export interface AugmentationPlugin<Params = unknown, Options = Record<string, unknown>> extends NamedPlugin {
  /**
   * Checks options and fills in defaults; throws an `EffnetError` naming the bad option. Called
   * once when a pipeline is built, so that bad options fail before any batch is drawn.
   */
  resolveOptions?(options: Partial<Options> | undefined): Options;
  /** Draws the random parameters for one batch. Must use only `rng` for randomness. */
  sample(batch: BatchInfo, rng: SeededRandom, options: Options): Params;
  /** Applies the parameters to a batch of images `[B, H, W, C]` (0..255). */
  apply(images: tf.Tensor4D, params: Params): tf.Tensor4D;
  /** Applies the parameters to the labels `[B, numClasses]`, for augmentations that mix labels. */
  applyToLabels?(labels: tf.Tensor2D, params: Params): tf.Tensor2D;
}

/** An augmentation plugin of any parameter and option types, as the registry holds them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyAugmentation = AugmentationPlugin<any, any>;

declare module '@effnet/core' {
  interface PluginKinds {
    augmentation: AnyAugmentation;
  }
}

/** Registers an augmentation in the core registry under its name; throws if the name is taken. */
export function registerAugmentation<P, O>(plugin: AugmentationPlugin<P, O>): AugmentationPlugin<P, O> {
  getRegistry('augmentation').register(plugin);
  return plugin;
}

/** The registered augmentation called `name`; the error lists the known names when there is none. */
export function getAugmentation(name: string): AnyAugmentation {
  return getRegistry('augmentation').get(name);
}
