import { EffnetError, saveModel } from '@effnet/core';
import { ProgressBar } from '../report/progress.js';
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
}

/** What {@link trainToFolder} returns. */
export interface TrainToFolderResult extends TrainResult {
  /** The saved model folder (when the schedule finished). */
  modelDir?: string;
  /** The report folder. */
  reportDir: string;
}

/**
 * Trains with a {@link Trainer} into a folder: a checkpoint every epoch (`resume` continues from
 * it; without `resume` an existing checkpoint is an error, so that nothing is overwritten by
 * accident), metrics as JSON lines, a progress bar, and at the end the model (EMA weights) and a
 * report with charts and an HTML page.
 */
export async function trainToFolder(o: TrainToFolderOptions): Promise<TrainToFolderResult> {
  const path = await import('node:path');
  const checkpointDir = path.join(o.out, 'checkpoint');
  if (!o.resume && (await isCheckpoint(checkpointDir))) {
    throw new EffnetError('CHECKPOINT_EXISTS', 'holds a checkpoint: pass --resume to continue it, or choose another output folder', { file: checkpointDir });
  }
  const bar = o.progress ? new ProgressBar(o.progress, o.tty ?? false) : undefined;
  const metricsFile = path.join(o.out, 'metrics.jsonl');
  let log: MetricsLog | undefined;
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
    let modelDir: string | undefined;
    if (result.finished) {
      trainer.useEvalWeights();
      modelDir = path.join(o.out, 'model');
      await saveModel(o.model, modelDir);
    }
    const { steps } = await readMetrics(metricsFile);
    const reportDir = path.join(o.out, 'report');
    const e = result.evaluation;
    await writeTrainingReport(reportDir, {
      title: o.title ?? `training ${o.model.spec.name}`,
      schedule: o.schedule,
      steps,
      epochs: result.history,
      summary: [
        ['model', `${o.model.spec.name} (${o.model.countParams().trainable.toLocaleString('en-US')} parameters)`],
        ['steps', `${result.steps}${result.finished ? '' : ' (stopped early)'}`],
        ['training wall time', `${result.elapsed.toFixed(1)} s`],
        ...(e ? ([['eval accuracy', `${(100 * e.accuracy).toFixed(2)} % at ${evalSizeOf(o.schedule)} px`], ['eval loss', e.loss.toFixed(4)]] as [string, string][]) : []),
        ...(o.summary ?? []),
      ],
    });
    return { ...result, ...(modelDir ? { modelDir } : {}), reportDir };
  } finally {
    trainer.dispose();
  }
}
