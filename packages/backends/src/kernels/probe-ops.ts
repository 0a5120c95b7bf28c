import * as tf from '@tensorflow/tfjs-core';

/**
 * Small computations that exercise the kernels effnet adds or fixes; run on two backends, their
 * results must agree. Returns plain arrays so they can be compared after switching backends.
 */
export async function probeOps(): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  const read = async (name: string, t: tf.Tensor) => {
    out[name] = Array.from(await t.data());
    t.dispose();
  };
  const images = tf.tensor4d(Array.from({ length: 2 * 6 * 5 * 3 }, (_, i) => (i * 37) % 251), [2, 6, 5, 3]);
  // Different matrices per image: image 1 must not get image 0's transform.
  const transforms = tf.tensor2d([1, 0, 1, 0, 1, 0, 0, 0, 0.8, 0.2, -1, -0.1, 1.1, 0.5, 0, 0], [2, 8]);
  await read('transform', tf.image.transform(images, transforms, 'bilinear', 'constant', 7));
  await read('grayscale', tf.image.rgbToGrayscale(images));
  await read('rotateWithOffset', tf.image.rotateWithOffset(images, 0.4, 200));
  await read('cropAndResize', tf.image.cropAndResize(images, tf.tensor2d([[0.1, 0.1, 0.9, 0.8], [0, 0.2, 0.7, 1]]), tf.tensor1d([1, 0], 'int32'), [4, 3]));
  await read('bitwiseAnd', tf.bitwiseAnd(tf.tensor1d([12, 10, 255, 7], 'int32'), tf.tensor1d([10, 6, 15, 1], 'int32')));
  await read('denseBincount', tf.denseBincount(tf.tensor1d([1, 3, 3, 0, 4], 'int32'), tf.tensor1d([], 'float32'), 6));
  const table = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
  const ids = tf.tensor1d([2, 0, 2], 'int32');
  const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), tf.tensor2d([[1, 2], [3, 4], [5, 6]]))))(table);
  await read('gatherGradient', g);
  tf.dispose([images, transforms, table, ids]);
  return out;
}
