import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../use-backend.js';
import { originalKernel } from './install-kernels.js';
import { probeOps } from './probe-ops.js';

let reference: Record<string, number[]>;

beforeAll(async () => {
  await useBackend('cpu');
  reference = await probeOps();
});

function expectClose(got: Record<string, number[]>, backend: string): void {
  for (const [name, want] of Object.entries(reference)) {
    const g = got[name]!;
    expect(g.length, `${backend} ${name}`).toBe(want.length);
    const err = Math.max(...g.map((v, i) => Math.abs(v - want[i]!)));
    expect(err, `${backend} ${name}`).toBeLessThan(1e-3);
  }
}

describe('kernels effnet adds or fixes', () => {
  it('cpu: Transform transforms every image of a batch with its own matrix', async () => {
    await useBackend('cpu');
    const images = tf.randomUniform([2, 5, 6, 1], 0, 255, 'float32', 3) as tf.Tensor4D;
    const transforms = tf.tensor2d([1, 0, 1, 0, 1, 0, 0, 0, 0.9, 0.1, 0, -0.2, 1, 1, 0, 0], [2, 8]);
    const batched = tf.image.transform(images, transforms, 'nearest', 'constant', 5);
    for (const b of [0, 1]) {
      const one = tf.image.transform(tf.slice(images, [b, 0, 0, 0], [1, 5, 6, 1]) as tf.Tensor4D, tf.slice(transforms, [b, 0], [1, 8]) as tf.Tensor2D, 'nearest', 'constant', 5);
      expect(Array.from(await tf.slice(batched, [b, 0, 0, 0], [1, 5, 6, 1]).data())).toEqual(Array.from(await one.data()));
    }
    expect(originalKernel('Transform', 'cpu')).toBeDefined();
  });

  it('wasm: clone (Identity) shares memory instead of copying, and each copy outlives the other', async () => {
    await useBackend('wasm');
    const backend = tf.backend();
    const x = tf.tensor1d([1, 2, 3]);
    const ids = backend.numDataIds();
    const y = tf.clone(x);
    expect(backend.numDataIds()).toBe(ids);
    x.dispose();
    expect(Array.from(await y.data())).toEqual([1, 2, 3]);
    const z = tf.add(y, 1);
    y.dispose();
    expect(backend.numDataIds()).toBe(ids);
    expect(Array.from(await z.data())).toEqual([2, 3, 4]);
    z.dispose();
  });

  it.each(['wasm', 'webgpu'])('%s: image ops, bit ops and the gather gradient agree with cpu', async (backend) => {
    await useBackend(backend);
    expect(tf.getBackend()).toBe(backend);
    expectClose(await probeOps(), backend);
  });
});
