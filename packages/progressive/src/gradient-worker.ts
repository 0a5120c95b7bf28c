/**
 * Entry of a data-parallel gradient worker thread (see `GradientWorkers`): builds a replica of the
 * model after importing the setup module, then answers share requests with the share's weighted
 * gradient, loss, correct count and BatchNorm statistics.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { EffNetModel, SeededRandom } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { FlatParameters } from './train/flat-parameters.js';
import { shareGradient } from './train/parallel/share-gradient.js';
import type { GradientWorkerInit, ShareRequest, WorkerMessage } from './train/parallel/worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('gradient-worker must run in a worker thread');
const init = workerData as GradientWorkerInit;
const post = (m: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function start() {
  const setup = (await import(init.setupModule)) as { default?: unknown };
  if (typeof setup.default === 'function') await (setup.default as (arg: unknown) => unknown)(init.setupArgument);
  const model = new EffNetModel(init.spec, { seed: 0 });
  const pick = (trainable: boolean) => model.weightDecls.filter((d) => d.trainable === trainable).map((d) => model.weights.get(d.name)!);
  return { model, flat: new FlatParameters(pick(true)), statistics: new FlatParameters(pick(false)) };
}

function answer(state: Awaited<ReturnType<typeof start>>, r: ShareRequest): void {
  const { model, flat, statistics } = state;
  flat.writeArray(r.weights);
  statistics.writeArray(r.statistics);
  const out = tf.tidy(() => {
    model.random.state = new SeededRandom(r.seed).state;
    const x = tf.tensor4d(r.images, r.imageShape);
    const y = tf.tensor2d(r.labels, [r.imageShape[0], r.numClasses]);
    const g = shareGradient(model, flat, x, y, r);
    const numbers = tf.stack([g.loss, g.correct]).dataSync();
    // Copies: a cpu tensor's dataSync() is its own storage, which must not be transferred away.
    return { gradient: g.gradient.dataSync().slice() as Float32Array, loss: numbers[0]!, correct: numbers[1]!, updates: g.updates };
  });
  const after = statistics.readArray();
  post({ type: 'result', id: r.id, ...out, statistics: after }, [out.gradient.buffer as ArrayBuffer, after.buffer as ArrayBuffer]);
}

start().then(
  (state) => {
    post({ type: 'ready', parameters: state.flat.size, statistics: state.statistics.size, backend: tf.getBackend() });
    port.on('message', (r: ShareRequest) => {
      try {
        answer(state, r);
      } catch (e) {
        post({ type: 'error', id: r.id, message: message(e) });
      }
    });
  },
  (e: unknown) => post({ type: 'error', message: `could not start: ${message(e)}` }),
);
