import { SeededRandom } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, describe, expect, it } from 'vitest';
import { AugmentPipeline } from './pipeline.js';
import { RANDAUGMENT_OPS, type OpContext } from './randaugment/op-table.js';
import { registerAugmentations } from './register.js';

/** Other backends that can run in Node, loaded only when installed. */
const OPTIONAL_BACKENDS: Record<string, string> = { wasm: '@tensorflow/tfjs-backend-wasm' };

async function tryBackend(name: string): Promise<boolean> {
  try {
    await import(/* @vite-ignore */ OPTIONAL_BACKENDS[name]!);
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

/** Every op and a whole RandAugment + mixup/CutMix pass, as plain numbers. */
function runEverything(): Record<string, number[]> {
  registerAugmentations();
  const ctx: OpContext = { height: 24, width: 20, translatePixels: 100, translateFraction: undefined, cutoutPixels: 40 };
  const x = tf.tidy(() => tf.floor(tf.mul(tf.randomUniform([5, 24, 20, 3], 0, 1, 'float32', 3), 256))) as tf.Tensor4D;
  const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0], 'int32'), 4), 'float32')) as tf.Tensor2D;
  const out: Record<string, number[]> = {};
  for (const [name, op] of RANDAUGMENT_OPS) {
    const rng = new SeededRandom(5);
    const result = op.apply(x, Array.from({ length: 5 }, () => op.args(7, rng, ctx)), 128);
    out[name] = [...result.dataSync()];
    result.dispose();
  }
  const pipeline = new AugmentPipeline([{ name: 'randaugment', options: { magnitude: 12 } }, { name: 'mixup', options: { mixupAlpha: 0.2, cutmixAlpha: 1, labelSmoothing: 0.1 } }]);
  const before = tf.memory().numTensors;
  const r = pipeline.run(x, y, new SeededRandom(9));
  out.pipeline = [...r.images.dataSync(), ...r.labels!.dataSync()];
  tf.dispose([r.images, r.labels!]);
  out.leaked = [tf.memory().numTensors - before];
  tf.dispose([x, y]);
  return out;
}

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('augmentations on other backends', () => {
  for (const name of Object.keys(OPTIONAL_BACKENDS)) {
    it(`${name}: every op and a pipeline give the cpu backend's exact results (skipped when not installed)`, async (test) => {
      await tf.setBackend('cpu');
      const cpu = runEverything();
      if (!(await tryBackend(name))) {
        if (process.env.CI) throw new Error(`CI: the ${name} backend (${OPTIONAL_BACKENDS[name]}) did not start`);
        return test.skip();
      }
      const other = runEverything();
      expect(Object.keys(other)).toEqual(Object.keys(cpu));
      for (const key of Object.keys(cpu)) expect(other[key], key).toEqual(cpu[key]);
      expect(other.leaked).toEqual([0]);
    });
  }
});
