#!/usr/bin/env node
// Peak wasm heap of one EfficientNetV2-B0 training step (128x128, 10 classes) with TF.js's own
// backward pass (`tf.variableGrads`) and with effnet's streaming one (`streamingVariableGrads`),
// each configuration in a fresh process (the wasm heap only grows, and an out-of-memory abort
// leaves it unusable). Prints a table. Usage: node bench/training-memory.mjs [--batches 16,32]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
if (args[0] === '--child') {
  const [, method, batchText] = args;
  const batch = Number(batchText);
  const tf = await import('@tensorflow/tfjs-core');
  const { createModel, streamingVariableGrads } = await import('@effnet/core');
  const { registerBlocks } = await import('@effnet/blocks');
  const { registerVariants } = await import('@effnet/scaling');
  const { useBackend } = await import('@effnet/backends');
  registerBlocks();
  registerVariants();
  await useBackend('wasm');
  const model = createModel('efficientnetv2-b0', { numClasses: 10, seed: 1 });
  const x = tf.randomNormal([batch, 128, 128, 3], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 10), 'int32'), 10);
  const optimizer = tf.train.momentum(0.01, 0.9);
  const grads = method === 'streaming' ? streamingVariableGrads : tf.variableGrads;
  const times = [];
  for (let i = 0; i < 2; i++) {
    const t0 = performance.now();
    const { value, grads: g } = grads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true })), model.trainableWeights());
    optimizer.applyGradients(g);
    await value.data();
    tf.dispose([value, ...Object.values(g)]);
    times.push(performance.now() - t0);
  }
  console.log(JSON.stringify({ heap: tf.backend().wasm.HEAPU8.length, ms: times[1] }));
  process.exit(0);
}

const batches = (args.includes('--batches') ? args[args.indexOf('--batches') + 1] : '16,32').split(',').map(Number);
const rows = [];
for (const batch of batches) {
  for (const method of ['tf.variableGrads', 'streaming']) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', method, String(batch)], { encoding: 'utf8' });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    let cell;
    try {
      const { heap, ms } = JSON.parse(line);
      cell = `${(heap / 2 ** 30).toFixed(2)} | ${(ms / 1000).toFixed(2)}`;
    } catch {
      cell = `out of memory (4 GB heap) | -`;
    }
    rows.push(`| ${batch} | ${method} | ${cell} |`);
    process.stderr.write(`${rows[rows.length - 1]}\n`);
  }
}
console.log('| batch | backward pass | wasm heap after 2 steps (GiB) | second step (s) |');
console.log('|---:|---|---:|---:|');
for (const r of rows) console.log(r);
