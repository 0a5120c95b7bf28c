import * as tf from '@tensorflow/tfjs-core';

/** Backends whose tensors are in host memory. */
const HOST_BACKENDS = new Set(['wasm', 'cpu', 'tensorflow']);

/**
 * The trainable weights of a model seen as one flat float32 vector. Optimizer slots, the EMA and
 * accumulated gradients live in this form, so that an update is a handful of ops whatever the
 * number of weights (a per-weight update costs several kernel launches per weight, which
 * dominates small models on wasm), and a checkpoint is one array per slot.
 */
export class FlatParameters {
  /** Element count of each weight, in order. */
  readonly sizes: number[];
  /** Total element count. */
  readonly size: number;

  constructor(readonly variables: readonly tf.Variable[]) {
    this.sizes = variables.map((v) => v.size);
    this.size = this.sizes.reduce((a, b) => a + b, 0);
  }

  /** The weights' current values as one vector. */
  read(): tf.Tensor1D {
    return this.flatten(this.variables);
  }

  /** Concatenates tensors shaped like the weights (e.g. gradients) into one vector. */
  flatten(tensors: readonly tf.Tensor[]): tf.Tensor1D {
    return tf.tidy(() => tf.concat(tensors.map((t) => tf.reshape(t, [-1]))) as tf.Tensor1D);
  }

  /**
   * Assigns a vector back to the weights. On backends whose tensors live in host memory (wasm,
   * cpu, tfjs-node) through one read and one upload per weight, which costs far less there than a
   * split into as many slice kernels; on GPUs with the split, so that nothing leaves the device.
   */
  write(flat: tf.Tensor1D): void {
    if (HOST_BACKENDS.has(tf.getBackend())) {
      this.writeArray(flat.dataSync() as Float32Array);
      return;
    }
    tf.tidy(() => {
      const parts = tf.split(flat, this.sizes);
      this.variables.forEach((v, i) => v.assign(tf.reshape(parts[i]!, v.shape)));
    });
  }

  /** The weights' current values copied into one array (no kernels: one read per weight). */
  readArray(): Float32Array {
    const out = new Float32Array(this.size);
    let offset = 0;
    this.variables.forEach((v, i) => {
      out.set(v.dataSync() as Float32Array, offset);
      offset += this.sizes[i]!;
    });
    return out;
  }

  /** Assigns one array of all values to the weights (no kernels: one upload per weight). */
  writeArray(data: Float32Array): void {
    if (data.length !== this.size) throw new Error(`expected ${this.size} values, got ${data.length}`);
    let offset = 0;
    this.variables.forEach((v, i) => {
      const n = this.sizes[i]!;
      const t = tf.tensor(data.subarray(offset, offset + n), v.shape, 'float32');
      v.assign(t);
      t.dispose();
      offset += n;
    });
  }

  /** A vector with `value(i)` over the elements of weight i (e.g. a weight-decay mask). */
  perWeight(value: (index: number) => number): tf.Tensor1D {
    const data = new Float32Array(this.size);
    let offset = 0;
    this.sizes.forEach((n, i) => {
      data.fill(value(i), offset, offset + n);
      offset += n;
    });
    return tf.tensor1d(data);
  }
}
