import * as tf from '@tensorflow/tfjs-core';
import { createModel } from '@effnet/core';
import { registerBlocks } from '@effnet/blocks';
import { registerVariants } from '@effnet/scaling';
import { useBackend, configureWasm, compiledTrainingPass } from '@effnet/backends';
registerBlocks(); registerVariants();
configureWasm({ threads: Number(process.env.T ?? 1) });
await useBackend('wasm');
const model = createModel(process.env.ARCH ?? 'efficientnetv2-b0', { numClasses: 10, seed: 1 });
const B = Number(process.env.B ?? 32), size = Number(process.env.S ?? 128);
const x = tf.randomNormal([B, size, size, 3]);
const y = tf.oneHot(tf.tensor1d(Array.from({ length: B }, (_, i) => i % 10), 'int32'), 10).cast('float32');
const s = { dropout: 0.2, dropPathRate: 0.2, updateStatistics: true };
const t = new Map();
for (let i = 0; i < 3; i++) { const m = i ? t : new Map(); const p = compiledTrainingPass(model, x, y, s, m); tf.dispose([p.loss, p.logits, ...Object.values(p.grads)]); }
const tot = [...t.values()].reduce((a,b)=>a+b,0);
for (const [k,v] of [...t].sort((a,b)=>b[1]-a[1]).slice(0, 16)) console.log(k.padEnd(40), (v/2).toFixed(1), (100*v/tot).toFixed(1)+'%');
console.log('total', (tot/2).toFixed(0));
