#!/usr/bin/env node
// Times each RandAugment op, a whole RandAugment pass, mixup and CutMix on one batch, on the
// TF.js cpu backend, and prints a table of milliseconds per batch. Needs a build first
// (`npm run build`). Usage: node packages/augment/bench/augment.mjs [--batch 32] [--size 128] [--repeat 3]
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { SeededRandom } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { AugmentPipeline, RANDAUGMENT_OPS, defaultOpNames, registerAugmentations } from '../dist/index.js';

const { values } = parseArgs({
  options: { batch: { type: 'string', default: '32' }, size: { type: 'string', default: '128' }, repeat: { type: 'string', default: '3' }, magnitude: { type: 'string', default: '10' } },
});
const batch = Number(values.batch);
const size = Number(values.size);
const repeat = Number(values.repeat);
const magnitude = Number(values.magnitude);

await tf.setBackend('cpu');
registerAugmentations();
const images = tf.tidy(() => tf.floor(tf.mul(tf.randomUniform([batch, size, size, 3], 0, 1, 'float32', 1), 256)));
const labels = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 10), 'int32'), 10), 'float32'));

/** Mean milliseconds of `fn` over `repeat` runs after one warm-up run; `fn` returns tensors to dispose. */
function time(fn) {
  tf.dispose(fn());
  let total = 0;
  for (let i = 0; i < repeat; i++) {
    const start = performance.now();
    const out = fn();
    // Reading one value waits for the work on asynchronous backends.
    (Array.isArray(out) ? out[0] : out).dataSync();
    total += performance.now() - start;
    tf.dispose(out);
  }
  return total / repeat;
}

const rows = [];
const ctx = { height: size, width: size, translatePixels: 100, translateFraction: undefined, cutoutPixels: 40 };
for (const name of defaultOpNames(false)) {
  const op = RANDAUGMENT_OPS.get(name);
  const rng = new SeededRandom(2);
  const args = Array.from({ length: batch }, () => op.args(magnitude, rng, ctx));
  rows.push([`${name} (all ${batch} images)`, time(() => op.apply(images, args, 128))]);
}
const pipelines = [
  [`RandAugment N=2 M=${magnitude}`, [{ name: 'randaugment', options: { numOps: 2, magnitude } }]],
  ['mixup alpha=0.2', [{ name: 'mixup', options: { mixupAlpha: 0.2 } }]],
  ['CutMix alpha=1', [{ name: 'mixup', options: { cutmixAlpha: 1 } }]],
  [`RandAugment + mixup/CutMix (half each)`, [{ name: 'randaugment', options: { numOps: 2, magnitude } }, { name: 'mixup', options: { mixupAlpha: 0.2, cutmixAlpha: 1 } }]],
];
for (const [label, steps] of pipelines) {
  const pipeline = new AugmentPipeline(steps);
  const rng = new SeededRandom(3);
  rows.push([label, time(() => Object.values(pipeline.run(images, labels, rng)))]);
}

console.log(`augmentations on the TF.js ${tf.getBackend()} backend, batch ${batch}x${size}x${size}x3, mean of ${repeat} runs`);
console.log('');
console.log('| augmentation | ms per batch |');
console.log('|---|---:|');
for (const [label, ms] of rows) console.log(`| ${label} | ${ms.toFixed(1)} |`);
tf.dispose([images, labels]);
