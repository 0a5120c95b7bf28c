import * as tf from '@tensorflow/tfjs-core';

/** A batch of random integer images `[n, h, w, 3]` in 0..255 and one-hot labels cycling through the classes. */
export function randomBatch(n: number, h: number, w: number, classes: number, seed = 7): { images: tf.Tensor4D; labels: tf.Tensor2D } {
  return tf.tidy(() => {
    const images = tf.floor(tf.mul(tf.randomUniform([n, h, w, 3], 0, 1, 'float32', seed), 256)) as tf.Tensor4D;
    const ids = tf.tensor1d(Array.from({ length: n }, (_, i) => i % classes), 'int32');
    const labels = tf.cast(tf.oneHot(ids, classes), 'float32') as tf.Tensor2D;
    return { images, labels };
  });
}

/** The values of image `i` of a batch. */
export function imageValues(batch: tf.Tensor4D, i: number): number[] {
  const one = tf.slice(batch, [i, 0, 0, 0], [1, -1, -1, -1]);
  const values = [...one.dataSync()];
  one.dispose();
  return values;
}
