/**
 * Entry of a batch-loader thread (see `LoaderThread`): gathers a batch's images from the shared
 * pixels and crops, flips and resizes them, while the thread that asked runs a training step.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { LoaderAnswer, LoaderInit, LoaderRequest } from './data/loader-protocol.js';
import { resizePixels } from './data/resize-pixels.js';

const port = parentPort;
if (!port) throw new Error('batch-loader must run in a worker thread');
const init = workerData as LoaderInit;
const pixels = new Uint8Array(init.pixels);
const [h, w, c] = init.shape;
const perImage = h * w * c;

port.on('message', (r: LoaderRequest) => {
  let answer: LoaderAnswer;
  let transfer: ArrayBuffer[] = [];
  try {
    const gathered = new Uint8Array(r.indices.length * perImage);
    r.indices.forEach((id, k) => gathered.set(pixels.subarray(id * perImage, (id + 1) * perImage), k * perImage));
    const data = resizePixels(gathered, [r.indices.length, h, w, c], r.size, r.crops);
    answer = { id: r.id, data };
    transfer = [data.buffer as ArrayBuffer];
  } catch (e) {
    answer = { id: r.id, error: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(answer, transfer);
});
