import { SeededRandom } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { applyMix, applyMixWithKernels, resolveMixOptions, sampleMix } from '../mix/mixup-cutmix.js';
import { HOST_OPS } from './host-ops.js';
import { resolveRandAugmentOptions } from './options.js';
import { applyRandAugment, applyRandAugmentWithKernels, sampleRandAugment } from './randaugment.js';

afterAll(async () => {
  await tf.setBackend('cpu');
});

/** Host-path and kernel-path results of one RandAugment pass with the ops that have host versions. */
function bothPaths(magnitude: number, fill: number, seed: number): { host: Float32Array; kernels: Float32Array; leaked: number } {
  const [b, h, w, c] = [16, 13, 11, 3];
  const x = tf.tidy(() => tf.mul(tf.randomUniform([b, h, w, c], 0, 1, 'float32', seed), 260)) as tf.Tensor4D; // a few values above 255: clipped alike
  const options = resolveRandAugmentOptions({ numOps: 3, magnitude, ops: [...HOST_OPS.keys()], translateFraction: 0.45, cutoutPixels: 4, fill });
  const params = sampleRandAugment({ batchSize: b, height: h, width: w, channels: c }, new SeededRandom(seed), options);
  const before = tf.memory().numTensors;
  const host = applyRandAugment(x, params);
  const kernels = applyRandAugmentWithKernels(x, params);
  const out = { host: host.dataSync() as Float32Array, kernels: kernels.dataSync() as Float32Array, leaked: 0 };
  tf.dispose([host, kernels]);
  out.leaked = tf.memory().numTensors - before;
  x.dispose();
  return out;
}

describe('RandAugment on the host', () => {
  it('gives exactly the cpu kernels\' pixels (rotate, shear, translate, cutout, invert; non-square images)', async () => {
    await tf.setBackend('cpu');
    for (const [magnitude, fill, seed] of [[7, 128, 1], [3, 0, 2], [10, 255, 3]] as const) {
      const r = bothPaths(magnitude, fill, seed);
      expect(r.leaked).toBe(0);
      expect(Array.from(r.host)).toEqual(Array.from(r.kernels));
    }
  });

  it('agrees with the wasm kernels (up to float32 rounding ties in the warp)', async () => {
    await tf.setBackend('wasm');
    const r = bothPaths(7, 128, 4);
    expect(r.leaked).toBe(0);
    let differ = 0;
    for (let i = 0; i < r.host.length; i++) if (r.host[i] !== r.kernels[i]) differ++;
    expect(differ / r.host.length).toBeLessThan(0.002);
  });
});

describe('mixup and CutMix on the host', () => {
  it('give the kernels\' values (exactly on cpu, within float32 rounding on wasm)', async () => {
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      const [b, h, w, c] = [10, 9, 7, 3];
      const x = tf.tidy(() => tf.floor(tf.mul(tf.randomUniform([b, h, w, c], 0, 1, 'float32', 7), 256))) as tf.Tensor4D;
      const params = sampleMix({ batchSize: b, height: h, width: w, channels: c }, new SeededRandom(11), resolveMixOptions({ mixupAlpha: 0.4, cutmixAlpha: 1 }));
      expect(params.mode).toContain('mixup');
      expect(params.mode).toContain('cutmix');
      const before = tf.memory().numTensors;
      const host = applyMix(x, params);
      const kernels = applyMixWithKernels(x, params);
      const [a, k] = [host.dataSync(), kernels.dataSync()];
      tf.dispose([host, kernels]);
      expect(tf.memory().numTensors - before).toBe(0);
      if (backend === 'cpu') expect(Array.from(a)).toEqual(Array.from(k));
      else for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - k[i]!)).toBeLessThanOrEqual(1e-4 * 255);
      x.dispose();
    }
  });
});
