import { EffnetError, encodeSafetensors, loadModel, parseSafetensors, saveModel, writeDirAtomic, type ArchitectureSpec, type EffNetModel } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Schedule } from '../schedule/schedule.js';
import type { EpochEvent } from './train-events.js';
import type { ResolvedTrainerSettings } from './trainer-options.js';

/** The format tag of `state.json`. */
export const CHECKPOINT_FORMAT = 'effnet-checkpoint';

/** Everything but the tensors: where the run is and what it was started with. */
export interface CheckpointState {
  format: typeof CHECKPOINT_FORMAT;
  version: 1;
  /** Steps done. */
  step: number;
  /** Wall seconds of training so far. */
  elapsed: number;
  architecture: ArchitectureSpec;
  schedule: Schedule;
  settings: ResolvedTrainerSettings;
  /** Examples in the training set (the data order depends on it). */
  trainExamples: number;
  /** The model's random state (dropout and stochastic-depth masks). */
  modelRandom: number;
  /** Number of EMA updates made. */
  emaUpdates: number;
  /** Epoch summaries so far (for the report). */
  history: EpochEvent[];
  /** Of `elapsed`, the seconds spent evaluating. */
  evaluationSeconds?: number;
  /** The epoch whose weights are kept (best validation accuracy so far), when keeping the best. */
  best?: { epoch: number; accuracy: number };
}

/** A checkpoint's tensors: optimizer slots and the EMA, as flat vectors by name. */
export type CheckpointVectors = Map<string, Float32Array>;

/**
 * Writes a checkpoint folder atomically: `model/` (weights and BatchNorm statistics in the TF.js
 * format), `vectors.safetensors` (optimizer slots, EMA) and `state.json`. A previous checkpoint
 * is replaced only once the new one is complete, so a kill at any moment leaves one whole
 * checkpoint.
 */
export async function writeCheckpoint(dir: string, model: EffNetModel, state: CheckpointState, vectors: Map<string, tf.Tensor1D>): Promise<void> {
  const data = [...vectors].map(([name, t]) => ({ name, shape: t.shape as number[], data: t.dataSync() as Float32Array }));
  await writeDirAtomic(
    dir,
    async (tmp) => {
      const { writeFile } = await import('node:fs/promises');
      const path = await import('node:path');
      await saveModel(model, path.join(tmp, 'model'));
      await writeFile(path.join(tmp, 'vectors.safetensors'), encodeSafetensors(data));
      await writeFile(path.join(tmp, 'state.json'), `${JSON.stringify(state, null, 1)}\n`);
    },
    async (existing) => isCheckpoint(existing),
  );
}

/** True when `dir` holds a checkpoint's `state.json`. */
export async function isCheckpoint(dir: string): Promise<boolean> {
  const { readFile } = await import('node:fs/promises');
  const path = await import('node:path');
  try {
    return (JSON.parse(await readFile(path.join(dir, 'state.json'), 'utf8')) as { format?: string }).format === CHECKPOINT_FORMAT;
  } catch {
    return false;
  }
}

/** Reads `state.json` of a checkpoint; undefined when the folder has none. */
export async function readCheckpointState(dir: string): Promise<CheckpointState | undefined> {
  const { readFile } = await import('node:fs/promises');
  const path = await import('node:path');
  const file = path.join(dir, 'state.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  let state: CheckpointState;
  try {
    state = JSON.parse(text) as CheckpointState;
  } catch (e) {
    throw new EffnetError('BAD_CHECKPOINT', `is not valid JSON: ${(e as Error).message}`, { file });
  }
  if (state.format !== CHECKPOINT_FORMAT || state.version !== 1) throw new EffnetError('BAD_CHECKPOINT', 'is not an effnet checkpoint', { file, field: 'format', expected: `${CHECKPOINT_FORMAT} v1`, actual: `${state.format} v${state.version}` });
  return state;
}

/** The first path where two JSON values differ, e.g. `stages[2].outChannels`; undefined when equal. */
export function firstDifference(a: unknown, b: unknown, at = ''): { path: string; a: unknown; b: unknown } | undefined {
  if (a === b) return undefined;
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = Array.isArray(a) ? Array.from({ length: Math.max(a.length, (b as unknown[]).length) }, (_, i) => i) : [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) {
      const sub = typeof k === 'number' ? `${at}[${k}]` : at ? `${at}.${k}` : k;
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], sub);
      if (d) return d;
    }
    return undefined;
  }
  return { path: at, a, b };
}

/**
 * Checks that a checkpoint fits the model and the run (architecture, batch size, training set
 * size) before anything is loaded or written; the error names `state.json` and the first field
 * that differs.
 */
export async function checkResumable(dir: string, state: CheckpointState, model: EffNetModel, settings: ResolvedTrainerSettings, trainExamples: number): Promise<void> {
  const path = await import('node:path');
  const file = path.join(dir, 'state.json');
  const arch = firstDifference(JSON.parse(JSON.stringify(state.architecture)), JSON.parse(JSON.stringify(model.spec)));
  if (arch) {
    throw new EffnetError('CHECKPOINT_MISMATCH', `was written for another architecture (${state.architecture.name}); resume with the same --arch, or train into another folder`, {
      file,
      field: `architecture.${arch.path}`,
      expected: arch.b,
      actual: arch.a,
    });
  }
  for (const key of ['batchSize', 'seed'] as const) {
    if (state.settings[key] !== settings[key]) throw new EffnetError('CHECKPOINT_MISMATCH', `differs from this run's ${key}, so the run cannot continue exactly`, { file, field: `settings.${key}`, expected: settings[key], actual: state.settings[key] });
  }
  if (state.trainExamples !== trainExamples) throw new EffnetError('CHECKPOINT_MISMATCH', 'was made with a training set of another size', { file, field: 'trainExamples', expected: trainExamples, actual: state.trainExamples });
}

/** Loads a checkpoint's weights into `model` and returns its vectors. */
export async function loadCheckpointTensors(dir: string, model: EffNetModel): Promise<CheckpointVectors> {
  const { readFile } = await import('node:fs/promises');
  const path = await import('node:path');
  const saved = await loadModel(path.join(dir, 'model'));
  try {
    model.setWeights(saved.weights, { source: path.join(dir, 'model') });
  } finally {
    saved.dispose();
  }
  const file = path.join(dir, 'vectors.safetensors');
  const parsed = parseSafetensors(new Uint8Array(await readFile(file)), file);
  return new Map([...parsed].map(([name, t]) => [name, t.data]));
}
