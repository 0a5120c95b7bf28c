import * as tf from '@tensorflow/tfjs-core';

/**
 * An affine map in PIL's convention, `[a, b, c, d, e, f]`: the output pixel whose centre is at
 * (x, y) takes the input pixel that contains (a·x + b·y + c, d·x + e·y + f). Coordinates are in
 * pixels with the origin at the top-left corner of the image.
 */
export type AffineMatrix = readonly [number, number, number, number, number, number];

const batchSupport = new Map<string, boolean>();

/**
 * Whether the current backend's `Transform` kernel handles batches. TF.js 4.22's cpu kernel
 * returns from inside its batch loop, so it transforms only image 0 and leaves the others filled.
 * Probed once per backend with a two-image batch; kept in a cache.
 */
export function transformHandlesBatches(): boolean {
  const backend = tf.getBackend();
  let ok = batchSupport.get(backend);
  if (ok === undefined) {
    const out = tf.tidy(() => {
      const image = tf.tensor4d([1, 2, 3, 4], [2, 1, 2, 1]);
      const shift = tf.tensor2d([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0, 0], [2, 8]);
      return tf.image.transform(image, shift, 'nearest', 'constant', 0);
    });
    const values = out.dataSync();
    out.dispose();
    ok = values[0] === 1 && values[1] === 2 && values[2] === 4 && values[3] === 0;
    batchSupport.set(backend, ok);
  }
  return ok;
}

/** PIL's matrix in TF's convention (pixel indices instead of pixel centres, rounding to nearest). */
function toTfTransform([a, b, c, d, e, f]: AffineMatrix): number[] {
  return [a, b, c + 0.5 * a + 0.5 * b - 0.5, d, e, f + 0.5 * d + 0.5 * e - 0.5, 0, 0];
}

/**
 * Warps each image by its own matrix with nearest-neighbour sampling, as PIL's `Image.transform`
 * with `NEAREST` does; pixels that fall outside the input take `fill`. Runs `tf.image.transform`
 * on the whole batch, or image by image on backends whose kernel mishandles batches.
 */
export function affineTransform(images: tf.Tensor4D, matrices: readonly AffineMatrix[], fill: number): tf.Tensor4D {
  const n = images.shape[0];
  if (matrices.length !== n) throw new Error(`affineTransform: ${matrices.length} matrices for ${n} images`);
  const transforms = matrices.map(toTfTransform);
  return tf.tidy(() => {
    if (n === 1 || transformHandlesBatches()) {
      return tf.image.transform(images, tf.tensor2d(transforms, [n, 8]), 'nearest', 'constant', fill);
    }
    const parts = transforms.map((t, i) =>
      tf.image.transform(tf.slice(images, [i, 0, 0, 0], [1, -1, -1, -1]), tf.tensor2d([t], [1, 8]), 'nearest', 'constant', fill),
    );
    return tf.concat(parts, 0);
  });
}
