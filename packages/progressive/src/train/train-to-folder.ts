import { describeArchitecture, EffnetError, lockFolder, saveModel } from '@effnet/core';
import { ProgressBar } from '../report/progress.js';
import { writeRunEvents } from '../report/run-events.js';
import { collectSamples } from '../report/sample-images.js';
import { writeTrainingReport } from '../report/training-report.js';
import { evalSizeOf } from '../schedule/schedule.js';
import { isCheckpoint } from './checkpoint.js';
import { MetricsLog, readMetrics } from './metrics-log.js';
import { Trainer, type TrainResult } from './trainer.js';
import type { TrainerOptions } from './trainer-options.js';

/** Options of {@link trainToFolder}. */
export interface TrainToFolderOptions extends Omit<TrainerOptions, 'checkpointDir'> {
  /** Output folder: `checkpoint/`, `metrics.jsonl`, `model/` (final weights, EMA when on), `report/`. */
  out: string;
  /** Title of the report page. */
  title?: string;
  /** Where progress lines go (default: nowhere). */
  progress?: (text: string) => void;
  /** Redraw the progress bar in place (a terminal). */
  tty?: boolean;
  /** Extra lines for the report's summary table. */
  summary?: [string, string][];
  /** Test images shown in the report and written to TensorBoard (default 32). */
  reportSamples?: number;
}

/** What {@link trainToFolder} returns. */
export interface TrainToFolderResult extends TrainResult {
  /** The saved model folder (when the schedule finished). */
  modelDir?: string;
  /** The report folder. */
  reportDir: string;
  /** The TensorBoard log folder (`<out>/tensorboard`). */
  tensorboardDir: string;
}

/**
 * Trains with a {@link Trainer} into a folder: a checkpoint every epoch (`resume` continues from
 * it; without `resume` an existing checkpoint is an error, so that nothing is overwritten by
 * accident), metrics as JSON lines, a progress bar, and at the end the model (EMA weights) and a
 * report with charts and an HTML page. The folder is locked while it runs: a second run on the
 * same folder is refused, naming the first.
 */
export async function trainToFolder(o: TrainToFolderOptions): Promise<TrainToFolderResult> {
  const release = await lockFolder(o.out, o.title ?? 'training');
  try {
    return await trainLocked(o);
  } finally {
    await release();
  }
}

async function trainLocked(o: TrainToFolderOptions): Promise<TrainToFolderResult> {
  const path = await import('node:path');
  const checkpointDir = path.join(o.out, 'checkpoint');
  if (!o.resume && (await isCheckpoint(checkpointDir))) {
    throw new EffnetError('CHECKPOINT_EXISTS', 'holds a checkpoint: pass --resume to continue it, or choose another output folder', { file: checkpointDir });
  }
  const bar = o.progress ? new ProgressBar(o.progress, o.tty ?? false) : undefined;
  const metricsFile = path.join(o.out, 'metrics.jsonl');
  let log: MetricsLog | undefined;
  let startTime = Date.now() / 1000;
  const trainer = new Trainer({
    ...o,
    checkpointDir,
    onEvent: (e) => {
      bar?.handle(e);
      log?.write(e);
      o.onEvent?.(e);
    },
  });
  try {
    await trainer.prepare();
    log = await MetricsLog.open(metricsFile, o.resume ? trainer.currentStep : undefined);
    const result = await trainer.fit();
    startTime = Date.now() / 1000 - result.elapsed;
    let modelDir: string | undefined;
    if (result.finished) {
      trainer.useEvalWeights();
      modelDir = path.join(o.out, 'model');
      await saveModel(o.model, modelDir);
    }
    const { steps } = await readMetrics(metricsFile);
    const reportDir = path.join(o.out, 'report');
    const e = result.evaluation;
    const evalSize = evalSizeOf(o.schedule);
    const samples = e && o.eval ? await collectSamples(o.eval, e.predicted, e.confidence, o.reportSamples ?? 32, evalSize) : [];
    const classNames = o.eval?.classNames ?? Array.from({ length: o.model.spec.numClasses }, (_, i) => String(i));
    const tensorboardDir = path.join(o.out, 'tensorboard');
    await writeRunEvents(tensorboardDir, { steps, epochs: result.history, startTime, samples, classNames });
    const s = trainer.settings;
    const described = describeArchitecture(o.model.spec, evalSize);
    const lr = s.learningRate;
    await writeTrainingReport(reportDir, {
      title: o.title ?? `training ${o.model.spec.name}`,
      schedule: o.schedule,
      steps,
      epochs: result.history,
      summary: [
        ['model', `${o.model.spec.name}: ${o.model.countParams().trainable.toLocaleString('en-US')} parameters, ${(described.macs / 1e6).toFixed(2)} M MACs per image at ${evalSize} px`],
        ['steps', `${result.steps} x ${s.batchSize} images${result.finished ? '' : ' (stopped early)'}`],
        ['training wall time', `${result.elapsed.toFixed(1)} s (of which evaluation ${result.evaluationSeconds.toFixed(1)} s)`],
        ...(e ? ([[result.best ? `test accuracy (weights of epoch ${Number(result.best.epoch.toFixed(2))}, best on validation)` : 'test accuracy', `${(100 * e.accuracy).toFixed(2)} % at ${evalSize} px`], ['test loss', e.loss.toFixed(4)]] as [string, string][]) : []),
        ['optimizer', `${s.optimizer.type}, peak learning rate ${lr.perImages ? (lr.base * s.batchSize) / lr.perImages : lr.base}, ${lr.decay} decay, ${lr.warmupEpochs} warm-up epochs, weight decay ${s.weightDecay}, label smoothing ${s.labelSmoothing}, EMA ${s.ema === false ? 'off' : s.ema}`],
        ['crop', s.crop ? `random resized crop, area ${s.crop.scale.join('-')}, aspect ${s.crop.ratio.map((v) => v.toFixed(2)).join('-')}, flip ${s.crop.flip}` : 'none'],
        ['smaller stages', s.smallImages === 'crop' ? 'random windows at the last stage\'s scale' : 'whole images resized'],
        ['seed', String(s.seed)],
        ['engine', s.engine],
        ['files', 'model: ../model, metrics: ../metrics.jsonl, TensorBoard: ../tensorboard'],
        ...(o.summary ?? []),
      ],
      ...(e && o.eval ? { evaluation: { classNames, labels: Int32Array.from({ length: o.eval.length }, (_, i) => o.eval!.label(i)), predicted: e.predicted, samples } } : {}),
    });
    return { ...result, ...(modelDir ? { modelDir } : {}), reportDir, tensorboardDir };
  } finally {
    trainer.dispose();
  }
}
