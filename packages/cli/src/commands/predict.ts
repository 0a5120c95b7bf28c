import { EffnetError, encodeNpy, type ComputeEngine, InferenceModel, loadModel, parseNpy, preprocessImages, readInputFile, writeFileAtomic, type EffNetModel } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../backend.js';
import { decodeImage } from '../images.js';

/** Options of `effnet predict`. */
export interface PredictOptions {
  top?: number;
  saveLogits?: string;
  backend?: string;
  /** How inference runs (default `auto`: one compiled TensorFlow graph on tfjs-node). */
  engine?: ComputeEngine;
}

/** One ranked class. */
export interface RankedClass {
  index: number;
  label: string;
  probability: number;
  logit: number;
}

/** Predictions for one image (an `.npy` input may hold several). */
export interface Prediction {
  input: string;
  /** Index of the image inside its input file. */
  item: number;
  top: RankedClass[];
}

/** What `effnet predict` returns. */
export interface PredictResult {
  backend: string;
  predictions: Prediction[];
  /** All logits, one row per image, [N, classes]. */
  logits: { shape: [number, number]; data: Float32Array };
}

/**
 * Reads an input: `.npy` (NHWC float32, fed as is; NaN and infinite values are refused) or an
 * image (the model's own preprocessing).
 */
export async function readModelInput(file: string, model: EffNetModel): Promise<tf.Tensor4D> {
  const bytes = await readInputFile(file, { what: 'input file', code: 'BAD_INPUT' });
  if (file.toLowerCase().endsWith('.npy')) {
    const arr = parseNpy(bytes, file);
    if (arr.shape.length !== 4 || arr.shape[3] !== 3) {
      throw new EffnetError('BAD_INPUT', 'must be an NHWC batch with 3 channels', { file, expected: '[N, H, W, 3]', actual: `[${arr.shape.join(', ')}]` });
    }
    if (arr.shape[1]! < 1 || arr.shape[2]! < 1 || arr.shape[0]! < 1) {
      throw new EffnetError('BAD_INPUT', 'is empty', { file, expected: 'N, H, W >= 1', actual: `[${arr.shape.join(', ')}]` });
    }
    const bad = arr.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new EffnetError('BAD_INPUT', 'holds a value that is not a finite number', { file, expected: 'finite float32 values', actual: `${arr.data[bad]} at element ${bad}` });
    return tf.tensor4d(arr.data, arr.shape as [number, number, number, number], 'float32');
  }
  if (/\.(png|jpe?g)$/i.test(file)) {
    const raw = await decodeImage(bytes, file);
    try {
      return preprocessImages(raw, model.spec);
    } finally {
      raw.dispose();
    }
  }
  throw new EffnetError('BAD_INPUT', 'unsupported input type', { file, expected: '.npy, .png, .jpg or .jpeg', actual: file.split('.').pop() ?? '' });
}

/** Runs a saved model on each input and ranks the classes; non-finite logits are an error, not a result. */
export async function predictFiles(modelDir: string, inputs: string[], options: PredictOptions = {}): Promise<PredictResult> {
  const backend = await useBackend(options.backend);
  const model = await loadModel(modelDir);
  try {
    const tensors: tf.Tensor4D[] = [];
    try {
      for (const input of inputs) tensors.push(await readModelInput(input, model));
      const rows: Float32Array[] = [];
      const predictions: Prediction[] = [];
      const k = Math.min(options.top ?? 5, model.spec.numClasses || model.spec.headChannels);
      const fast = new InferenceModel(model, options.engine ?? 'auto');
      try {
        for (const [i, x] of tensors.entries()) {
          const logits = fast.predict(x);
          const probs = tf.tidy(() => tf.softmax(logits));
          const l = (await logits.data()) as Float32Array;
          const p = (await probs.data()) as Float32Array;
          logits.dispose();
          probs.dispose();
          const c = l.length / x.shape[0];
          for (let n = 0; n < x.shape[0]; n++) {
            const row = l.slice(n * c, (n + 1) * c);
            const bad = row.findIndex((v) => !Number.isFinite(v));
            if (bad >= 0) {
              throw new EffnetError('NON_FINITE_OUTPUT', 'the model computes a logit that is not a finite number for this input (values too large, or broken weights)', { file: `${inputs[i]}[${n}]`, field: `logits[${bad}]`, expected: 'a finite number', actual: String(row[bad]) });
            }
            rows.push(row);
            const order = [...row.keys()].sort((a, b) => row[b]! - row[a]!).slice(0, k);
            predictions.push({
              input: inputs[i]!,
              item: n,
              top: order.map((index) => ({ index, label: model.labels?.[index] ?? `class ${index}`, probability: p[n * c + index]!, logit: row[index]! })),
            });
          }
        }
      } finally {
        fast.dispose();
      }
      const classes = rows[0]?.length ?? 0;
      const data = new Float32Array(rows.length * classes);
      rows.forEach((r, i) => data.set(r, i * classes));
      const result: PredictResult = { backend, predictions, logits: { shape: [rows.length, classes], data } };
      if (options.saveLogits) await writeFileAtomic(options.saveLogits, encodeNpy(result.logits));
      return result;
    } finally {
      for (const t of tensors) t.dispose();
    }
  } finally {
    model.dispose();
  }
}

/** Text form of the predictions. */
export function formatPredictions(result: PredictResult): string {
  return result.predictions
    .map((p) => {
      const head = `${p.input}${result.predictions.filter((q) => q.input === p.input).length > 1 ? `[${p.item}]` : ''}`;
      const lines = p.top.map((t) => `  ${(t.probability * 100).toFixed(2).padStart(6)}%  ${t.label}  (logit ${t.logit.toFixed(4)})`);
      return [head, ...lines].join('\n');
    })
    .join('\n');
}
