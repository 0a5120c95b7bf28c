// The page the browser test runs: effnet on wasm, webgpu and webgl inside Chromium. It loads the
// golden B0 case over HTTP, checks the logits, runs training steps, and leaves a report on
// `window.effnetReport`.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createModel, InferenceModel, parseNpy } from '@effnet/core';
import { registerBlocks } from '@effnet/blocks';
import { modelFromTimmCheckpoint, registerVariants } from '@effnet/scaling';
import { kernelsIfLoaded, useBackend } from '@effnet/backends';

/** What the page reports for one backend. */
export interface BackendReport {
  backend: string;
  ok: boolean;
  error?: string;
  logitsRelErr?: number;
  foldedRelErr?: number;
  losses?: number[];
  leakedTensors?: number;
  inferMs?: number;
  stepMs?: number;
  /** wasm: losses of 3 steps through the compiled engine (`trainingPass` with engine `graph`). */
  compiledLosses?: number[];
  /** wasm: threads of the compiled engine (more than 1 in a cross-origin-isolated page). */
  compiledThreads?: number;
  crossOriginIsolated?: boolean;
}

async function bytes(url: string): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

function relErr(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / den;
}

async function run(backend: string): Promise<BackendReport> {
  try {
    await useBackend(backend);
    const [weights, input, logits] = await Promise.all([bytes('/golden/weights.safetensors'), bytes('/golden/input.npy'), bytes('/golden/logits.npy')]);
    console.log(`effnet: ${backend} backend ready`);
    const { model } = modelFromTimmCheckpoint(weights, 'efficientnetv2-b0');
    const inp = parseNpy(input);
    const want = parseNpy(logits).data;
    const x = tf.tensor4d(inp.data, inp.shape as [number, number, number, number]);
    const y = model.predict(x);
    const got = (await y.data()) as Float32Array;
    y.dispose();
    console.log(`effnet: ${backend} golden logits done`);
    const fast = new InferenceModel(model);
    fast.predict(x).dispose();
    const t0 = performance.now();
    const yf = fast.predict(x);
    const gotFolded = (await yf.data()) as Float32Array;
    const inferMs = performance.now() - t0;
    yf.dispose();
    fast.dispose();
    x.dispose();
    model.dispose();

    // Training steps on a small variant (software GPUs in CI are slow), same code path as B0.
    const fresh = createModel({ base: 'efficientnetv2-b0', width: 0.5, depth: 0.5 }, { numClasses: 10, seed: 5, dropout: 0, dropPathRate: 0 });
    const bx = tf.randomNormal([4, 48, 48, 3], 0, 1, 'float32', 11);
    const by = tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 10);
    const opt = tf.train.adam(1e-3);
    const losses: number[] = [];
    let tensors = 0;
    let stepMs = 0;
    for (let i = 0; i < 3; i++) {
      const s0 = performance.now();
      const l = opt.minimize(() => tf.losses.softmaxCrossEntropy(by, fresh.apply(bx, { training: true })) as tf.Scalar, true, fresh.trainableWeights())!;
      losses.push((await l.data())[0]!);
      stepMs = performance.now() - s0;
      console.log(`effnet: ${backend} step ${i} ${stepMs.toFixed(0)} ms`);
      l.dispose();
      if (i === 1) tensors = tf.memory().numTensors;
    }
    const leakedTensors = tf.memory().numTensors - tensors;
    const report: BackendReport = { backend, ok: true, logitsRelErr: relErr(got, want), foldedRelErr: relErr(gotFolded, want), losses, leakedTensors, inferMs, stepMs, crossOriginIsolated };
    if (backend === 'wasm') {
      // The same steps through the compiled engine, as the trainer runs them.
      const compiled = createModel({ base: 'efficientnetv2-b0', width: 0.5, depth: 0.5 }, { numClasses: 10, seed: 5, dropout: 0, dropPathRate: 0 });
      const copt = tf.train.adam(1e-3);
      const labels = tf.cast(by, 'float32') as tf.Tensor2D;
      report.compiledLosses = [];
      for (let i = 0; i < 3; i++) {
        const p = compiled.trainingPass(bx, labels, { engine: 'graph' });
        copt.applyGradients(p.grads as unknown as Parameters<typeof copt.applyGradients>[0]);
        report.compiledLosses.push((await p.loss.data())[0]!);
        tf.dispose([p.loss, p.logits, ...Object.values(p.grads)]);
      }
      report.compiledThreads = kernelsIfLoaded()?.threads ?? 0;
      tf.dispose([labels]);
      copt.dispose();
      compiled.dispose();
    }
    tf.dispose([bx, by]);
    opt.dispose();
    fresh.dispose();
    return report;
  } catch (e) {
    return { backend, ok: false, error: String((e as Error)?.message ?? e) };
  }
}

async function main(): Promise<void> {
  setWasmPaths('/wasm/');
  registerBlocks();
  registerVariants();
  tf.enableProdMode();
  const wanted = new URLSearchParams(location.search).get('backends')?.split(',') ?? ['wasm', 'webgpu', 'webgl'];
  const reports: BackendReport[] = [];
  for (const b of wanted) {
    console.log(`effnet: ${b} starting`);
    reports.push(await run(b));
    console.log(`effnet: ${b} done ${JSON.stringify(reports.at(-1))}`);
  }
  (window as unknown as { effnetReport: BackendReport[] }).effnetReport = reports;
  document.body.textContent = JSON.stringify(reports, null, 1);
}

void main();
