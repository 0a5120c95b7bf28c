import * as tf from '@tensorflow/tfjs-core';

/*
 * The helpers below build full-size tensors with matrix products instead of broadcasting a
 * [B, 1, 1, 1] or [B, 1, 1, C] tensor against the images. Every backend runs both fast except
 * TF.js's cpu backend, whose binary ops walk per-element index arrays whenever a leading axis is
 * broadcast (about 10-30x slower; scalars and trailing shapes such as [H, W, C] stay fast).
 */

/** `values[i]` at every pixel of image i: a float32 tensor of `shape` [B, H, W, C]. */
export function perImage(values: readonly number[] | tf.Tensor, shape: readonly number[]): tf.Tensor4D {
  const [b, h, w, c] = shape as [number, number, number, number];
  return tf.tidy(() => {
    const column = Array.isArray(values) ? tf.tensor3d(values as number[], [b, 1, 1]) : tf.reshape(values as tf.Tensor, [b, 1, 1]);
    return tf.reshape(tf.matMul(column, tf.ones([1, 1, h * w * c])), [b, h, w, c]);
  });
}

/** A per-image, per-channel tensor `[B, 1, 1, C]` (or `[B, C]`) spread over every pixel. */
export function perChannel(values: tf.Tensor, shape: readonly number[]): tf.Tensor4D {
  const [b, h, w, c] = shape as [number, number, number, number];
  return tf.tidy(() => tf.reshape(tf.matMul(tf.ones([1, h * w, 1]), tf.reshape(values, [b, 1, c])), [b, h, w, c]));
}

/** A one-channel batch `[B, H, W, 1]` repeated over `channels` channels. */
export function repeatChannels(single: tf.Tensor4D, channels: number): tf.Tensor4D {
  return channels === 1 ? tf.clone(single) : tf.concat<tf.Tensor4D>(new Array<tf.Tensor4D>(channels).fill(single), 3);
}

/** Images `[B, H, W, C]` as `[B, C, H·W]` (a transpose done as a product with the identity). */
export function channelsFirst(images: tf.Tensor4D): tf.Tensor3D {
  const [b, h, w, c] = images.shape;
  return tf.tidy(() => tf.matMul(tf.reshape(tf.eye(c), [1, c, c]), tf.reshape(images, [b, h * w, c]), false, true));
}

/** A per-image box mask `[B, H, W, C]`: 1 where `top ≤ row < bottom` and `left ≤ column < right`. */
export function boxMask(boxes: readonly (readonly [number, number, number, number])[], shape: readonly number[]): tf.Tensor4D {
  const [b, h, w, c] = shape as [number, number, number, number];
  return tf.tidy(() => {
    const inside = (n: number, from: number[], to: number[]) => {
      const coords = tf.range(0, n);
      const after = tf.clipByValue(tf.sub(coords, tf.tensor2d(from, [b, 1])), -1, 0); // 0 where coord >= from
      const before = tf.clipByValue(tf.sub(tf.tensor2d(to, [b, 1]), coords), 0, 1); // 1 where coord < to
      return tf.mul(tf.add(after, 1), before);
    };
    const rows = tf.reshape(inside(h, boxes.map((x) => x[0]), boxes.map((x) => x[1])), [b, h, 1]);
    const cols = tf.reshape(inside(w, boxes.map((x) => x[2]), boxes.map((x) => x[3])), [b, 1, w]);
    const mask = tf.reshape(tf.matMul(rows, cols), [b, h, w, 1]) as tf.Tensor4D;
    return repeatChannels(mask, c);
  });
}

/**
 * Integer pixel values 0..255 as float32, the way an 8-bit image holds them: clips to 0..255
 * and drops the fraction (the official pipeline's cast to uint8 does the same).
 */
export function toPixels(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.floor(tf.clipByValue(tf.cast(images, 'float32'), 0, 255)));
}

/** Keeps `images` where `mask` is 0 and puts `value` where it is 1 (exact for integer pixels). */
export function fillWhere(images: tf.Tensor4D, mask: tf.Tensor, value: number): tf.Tensor4D {
  return tf.tidy(() => tf.add(tf.mul(images, tf.sub(1, mask)), tf.mul(mask, value)));
}

/** 1 where `a < b` and 0 elsewhere, for integer-valued tensors of one shape (arithmetic, no booleans). */
export function lessInt(a: tf.Tensor | number, b: tf.Tensor | number): tf.Tensor {
  return tf.clipByValue(tf.sub(b, a), 0, 1);
}

/**
 * Images `indices` of a batch, in that order. On the cpu backend, whole-image slices joined
 * along the batch axis (contiguous copies); elsewhere one `gather`.
 */
export function takeImages(images: tf.Tensor4D, indices: readonly number[]): tf.Tensor4D {
  return tf.tidy(() => {
    if (tf.getBackend() !== 'cpu') return tf.gather(images, indices as number[]);
    const parts = indices.map((i) => tf.slice(images, [i, 0, 0, 0], [1, -1, -1, -1]));
    return parts.length === 1 ? parts[0]! : tf.concat(parts, 0);
  });
}
