import { writeDirAtomic } from '@effnet/core';
import type { Schedule } from '../schedule/schedule.js';
import type { EpochEvent, StepEvent } from '../train/train-events.js';
import { PALETTE, renderLineChart, type LineChart, type Series } from './line-chart.js';

/** What a report shows. */
export interface ReportInput {
  title: string;
  schedule: Schedule;
  steps: StepEvent[];
  epochs: EpochEvent[];
  /** Lines of the summary table, e.g. `['test accuracy', '91.2 %']`. */
  summary: [string, string][];
}

/** Averages consecutive points into at most `max` points (keeps charts of long runs light). */
export function downsample(points: [number, number][], max = 300): [number, number][] {
  if (points.length <= max) return points;
  const per = Math.ceil(points.length / max);
  const out: [number, number][] = [];
  for (let i = 0; i < points.length; i += per) {
    const chunk = points.slice(i, i + per);
    out.push([chunk[chunk.length - 1]![0], chunk.reduce((a, p) => a + p[1], 0) / chunk.length]);
  }
  return out;
}

function metricCharts(r: ReportInput): Record<string, LineChart> {
  const charts: Record<string, LineChart> = {};
  const evals = r.epochs.filter((e) => e.evalAccuracy !== undefined);
  for (const [axis, key, xLabel] of [['epoch', 'epoch', 'epoch'], ['time', 'elapsed', 'wall time (s)']] as const) {
    const x = (e: StepEvent | EpochEvent) => (key === 'epoch' ? e.epoch : e.elapsed);
    const lossSeries: Series[] = [{ name: 'train loss', color: PALETTE[0]!, points: downsample(r.steps.map((s) => [x(s), s.loss])) }];
    if (evals.length) lossSeries.push({ name: 'eval loss', color: PALETTE[1]!, points: evals.map((e) => [x(e), e.evalLoss!]), dots: true });
    charts[`loss-vs-${axis}`] = { title: `loss vs ${axis}`, xLabel, yLabel: 'cross-entropy', series: lossSeries };
    const accSeries: Series[] = [{ name: 'train accuracy', color: PALETTE[0]!, points: downsample(r.steps.map((s) => [x(s), 100 * s.accuracy])) }];
    if (evals.length) accSeries.push({ name: 'eval accuracy', color: PALETTE[1]!, points: evals.map((e) => [x(e), 100 * e.evalAccuracy!]), dots: true });
    charts[`accuracy-vs-${axis}`] = { title: `accuracy vs ${axis}`, xLabel, yLabel: 'top-1 accuracy (%)', series: accSeries };
  }
  return charts;
}

function scheduleCharts(s: Schedule): Record<string, LineChart> {
  const stepPoints = (f: (st: Schedule['stages'][number]) => number): [number, number][] => {
    const pts: [number, number][] = s.stages.map((st) => [st.startEpoch, f(st)]);
    const last = s.stages[s.stages.length - 1]!;
    pts.push([last.endEpoch, f(last)]);
    return pts;
  };
  return {
    'schedule-size': { title: 'schedule: image size', xLabel: 'epoch', yLabel: 'pixels', series: [{ name: 'image size', color: PALETTE[0]!, points: stepPoints((st) => st.imageSize), steps: true }] },
    'schedule-regularization': {
      title: 'schedule: regularization',
      xLabel: 'epoch',
      yLabel: 'value',
      series: [
        { name: 'randaugment magnitude', color: PALETTE[0]!, points: stepPoints((st) => st.randAugmentMagnitude), steps: true },
        { name: 'dropout x10', color: PALETTE[1]!, points: stepPoints((st) => 10 * st.dropout), steps: true },
        { name: 'mixup alpha x10', color: PALETTE[2]!, points: stepPoints((st) => 10 * st.mixupAlpha), steps: true },
        { name: 'cutmix alpha x10', color: PALETTE[3]!, points: stepPoints((st) => 10 * st.cutmixAlpha), steps: true },
      ],
    },
  };
}

function escape(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

function html(r: ReportInput, images: string[]): string {
  const row = (cells: (string | number)[], tag = 'td') => `<tr>${cells.map((c) => `<${tag}>${escape(String(c))}</${tag}>`).join('')}</tr>`;
  const fmt = (v: number | undefined, d = 4) => (v === undefined ? '' : Number(v.toFixed(d)));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(r.title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1500px}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}img{margin:4px;border:1px solid #eee}</style>
</head><body>
<h1>${escape(r.title)}</h1>
<table>${r.summary.map(([k, v]) => row([k, v])).join('')}</table>
<h2>Schedule: ${escape(r.schedule.name)}</h2>
<table>${row(['stage', 'epochs', 'image size', 'RandAugment magnitude', 'mixup alpha', 'CutMix alpha', 'dropout'], 'th')}
${r.schedule.stages.map((s, i) => row([i + 1, `${fmt(s.startEpoch, 2)} - ${fmt(s.endEpoch, 2)}`, s.imageSize, fmt(s.randAugmentMagnitude, 2), fmt(s.mixupAlpha, 3), fmt(s.cutmixAlpha, 3), fmt(s.dropout, 3)])).join('\n')}</table>
<h2>Charts</h2>
${images.map((f) => `<img src="${f}" alt="${f}" width="720">`).join('\n')}
<h2>Epochs</h2>
<table>${row(['epoch', 'train loss', 'train accuracy', 'eval loss', 'eval accuracy', 'wall time (s)'], 'th')}
${r.epochs.map((e) => row([fmt(e.epoch, 2), fmt(e.trainLoss), fmt(100 * e.trainAccuracy, 2), fmt(e.evalLoss), e.evalAccuracy === undefined ? '' : fmt(100 * e.evalAccuracy, 2), fmt(e.elapsed, 1)])).join('\n')}</table>
</body></html>
`;
}

/**
 * Writes a report folder atomically: PNG charts (loss and accuracy against epoch and wall time,
 * the schedule's image size and regularisation) and `index.html` with the summary, the schedule
 * and the per-epoch table. Returns the chart file names.
 */
export async function writeTrainingReport(dir: string, r: ReportInput): Promise<string[]> {
  const charts = { ...metricCharts(r), ...scheduleCharts(r.schedule) };
  const files = Object.keys(charts).map((k) => `${k}.png`);
  const rendered = await Promise.all(Object.values(charts).map((c) => renderLineChart(c)));
  await writeDirAtomic(
    dir,
    async (tmp) => {
      const { writeFile } = await import('node:fs/promises');
      const path = await import('node:path');
      await Promise.all(files.map((f, i) => writeFile(path.join(tmp, f), rendered[i]!)));
      await writeFile(path.join(tmp, 'index.html'), html(r, files));
    },
    async (existing) => {
      const { existsSync } = await import('node:fs');
      const path = await import('node:path');
      return existsSync(path.join(existing, 'index.html'));
    },
  );
  return files;
}
