import type { EpochEvent, StepEvent } from '../train/train-events.js';
import type { ReportSample } from './sample-images.js';
import { encodeSampleImage } from './sample-images.js';
import { writeEventFile, type TensorBoardEvent } from './tensorboard-events.js';

/** What {@link writeRunEvents} writes. */
export interface RunEventsInput {
  steps: StepEvent[];
  epochs: EpochEvent[];
  /** Unix seconds at which training started (event wall times are this plus `elapsed`). */
  startTime: number;
  /** A few test images with predictions, written as image summaries of the test run. */
  samples?: ReportSample[];
  classNames?: string[];
}

/**
 * Writes a run's scalars as TensorBoard event files laid out as Keras's TensorBoard callback
 * lays them out, so that `tensorboard --logdir` shows effnet runs next to Keras runs:
 * `<dir>/train` (per step: `batch_loss`, `batch_accuracy`, `learning_rate`, `image_size`,
 * `randaugment_magnitude`, `mixup_alpha`, `dropout`, `images_per_second`; per epoch: `epoch_loss`,
 * `epoch_accuracy`), `<dir>/validation` and `<dir>/test` (per epoch: `epoch_loss`,
 * `epoch_accuracy`; test images under `samples/<n>`). Accuracies are fractions. Returns the files.
 */
export async function writeRunEvents(dir: string, r: RunEventsInput): Promise<string[]> {
  const path = await import('node:path');
  const at = (elapsed: number) => r.startTime + elapsed;
  const train: TensorBoardEvent[] = r.steps.map((s) => ({
    wallTime: at(s.elapsed),
    step: s.step,
    values: [
      { tag: 'batch_loss', scalar: s.loss },
      { tag: 'batch_accuracy', scalar: s.accuracy },
      { tag: 'learning_rate', scalar: s.learningRate },
      { tag: 'image_size', scalar: s.imageSize },
      { tag: 'randaugment_magnitude', scalar: s.magnitude },
      { tag: 'mixup_alpha', scalar: s.mixupAlpha },
      { tag: 'dropout', scalar: s.dropout },
      { tag: 'images_per_second', scalar: s.imagesPerSecond },
    ],
  }));
  const validation: TensorBoardEvent[] = [];
  const test: TensorBoardEvent[] = [];
  for (const e of r.epochs) {
    const epoch = Math.round(e.epoch);
    train.push({ wallTime: at(e.elapsed), step: epoch, values: [{ tag: 'epoch_loss', scalar: e.trainLoss }, { tag: 'epoch_accuracy', scalar: e.trainAccuracy }] });
    if (e.validationAccuracy !== undefined) validation.push({ wallTime: at(e.elapsed), step: epoch, values: [{ tag: 'epoch_loss', scalar: e.validationLoss! }, { tag: 'epoch_accuracy', scalar: e.validationAccuracy }] });
    if (e.evalAccuracy !== undefined) test.push({ wallTime: at(e.elapsed), step: epoch, values: [{ tag: 'epoch_loss', scalar: e.evalLoss! }, { tag: 'epoch_accuracy', scalar: e.evalAccuracy }] });
  }
  const lastEpoch = r.epochs.length ? Math.round(r.epochs[r.epochs.length - 1]!.epoch) : 0;
  const lastTime = at(r.epochs[r.epochs.length - 1]?.elapsed ?? 0);
  if (r.samples?.length) {
    test.push({
      wallTime: lastTime,
      step: lastEpoch,
      values: r.samples.map((s) => ({
        tag: `samples/${s.index}: ${r.classNames?.[s.label] ?? s.label} -> ${r.classNames?.[s.predicted] ?? s.predicted}`,
        image: { png: encodeSampleImage(s), width: s.size, height: s.size, channels: 3 },
      })),
    });
  }
  const files: string[] = [];
  for (const [name, events] of [['train', train], ['validation', validation], ['test', test]] as const) {
    if (events.length) files.push(await writeEventFile(path.join(dir, name), events, r.startTime));
  }
  return files;
}
