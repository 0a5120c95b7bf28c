import * as tf from '@tensorflow/tfjs-core';
import { createModel, InferenceModel } from '@effnet/core';
import { registerBlocks } from '@effnet/blocks';
import { registerVariants } from '@effnet/scaling';
import { useBackend, configureWasm } from '@effnet/backends';
registerBlocks(); registerVariants();
if (process.env.T) configureWasm({ threads: Number(process.env.T) });
await useBackend('wasm');
const model = createModel('efficientnetv2-b0', { numClasses: 1000, seed: 1 });
for (const engine of ['auto', 'eager']) for (const B of [1, 8]) {
  const fast = new InferenceModel(model, engine);
  const x = tf.randomNormal([B, 224, 224, 3]);
  const ts = [];
  for (let i = 0; i < 8; i++) { const t0 = performance.now(); const y = fast.predict(x); await y.data(); y.dispose(); ts.push(performance.now() - t0); }
  ts.sort((a, b) => a - b);
  console.log(engine, 'batch', B, 'median', ts[4].toFixed(1), 'min', ts[0].toFixed(1));
  fast.dispose(); x.dispose();
}
