import { writeDirAtomic } from '@effnet/core';
import type { TopLevelSpec } from 'vega-lite';
import type { Schedule } from '../schedule/schedule.js';
import type { EpochEvent, StepEvent } from '../train/train-events.js';
import { confusionChart, confusionCounts, metricChart, metricRows, scheduleChart, throughputChart } from './report-charts.js';
import { renderSvg } from './render-chart.js';
import { encodeSampleImage, type ReportSample } from './sample-images.js';

/** The final evaluation, for the confusion matrix and the grid of test images. */
export interface ReportEvaluation {
  classNames: string[];
  /** True class per evaluated example. */
  labels: ArrayLike<number>;
  /** Predicted class per evaluated example. */
  predicted: ArrayLike<number>;
  /** A few evaluated images with their labels and predictions. */
  samples: ReportSample[];
}

/** What a report shows. */
export interface ReportInput {
  title: string;
  schedule: Schedule;
  steps: StepEvent[];
  epochs: EpochEvent[];
  /** Lines of the summary table (run metadata: model, parameters, backend, seed, versions, results). */
  summary: [string, string][];
  /** The final evaluation's predictions, when there was an evaluation set. */
  evaluation?: ReportEvaluation;
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

/** The report's charts as Vega-Lite specs, by file stem. */
export function reportCharts(r: ReportInput): Record<string, TopLevelSpec> {
  const rows = metricRows(r.steps, r.epochs);
  const charts: Record<string, TopLevelSpec> = {
    accuracy: metricChart(rows, 'accuracy'),
    loss: metricChart(rows, 'loss'),
    schedule: scheduleChart(r.steps),
    throughput: throughputChart(r.steps),
  };
  if (r.evaluation) charts.confusion = confusionChart(r.evaluation);
  return charts;
}

/** Escapes text for HTML. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1400px;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}
td:first-child{text-align:left}figure{margin:1.5em 0}figure svg{max-width:100%;height:auto}
.samples{display:flex;flex-wrap:wrap;gap:8px}.sample{width:104px;text-align:center;font-size:11px;border:2px solid #ddd;padding:4px}
.sample img{width:84px;height:84px;image-rendering:pixelated}.sample.wrong{border-color:#d62728;background:#fff3f3}.wrong .pred{color:#d62728;font-weight:bold}`;

function html(r: ReportInput, svgs: Record<string, string>, samples: string): string {
  const row = (cells: (string | number)[], tag = 'td') => `<tr>${cells.map((c) => `<${tag}>${escapeHtml(String(c))}</${tag}>`).join('')}</tr>`;
  const fmt = (v: number | undefined, d = 4) => (v === undefined ? '' : String(Number(v.toFixed(d))));
  const pct = (v: number | undefined) => (v === undefined ? '' : (100 * v).toFixed(2));
  const figure = (name: string) => (svgs[name] ? `<figure id="chart-${name}" data-chart="${name}">${svgs[name]}<figcaption><a href="${name}.svg">${name}.svg</a> · <a href="${name}.vl.json">Vega-Lite spec</a></figcaption></figure>` : '');
  const hasValidation = r.epochs.some((e) => e.validationAccuracy !== undefined);
  let confusion = '';
  if (r.evaluation) {
    const m = confusionCounts(r.evaluation);
    const names = r.evaluation.classNames;
    confusion = `<h2>Confusion matrix</h2>${figure('confusion')}
<table class="confusion">${row(['true \\ predicted', ...names], 'th')}${m.map((counts, i) => row([names[i]!, ...counts])).join('')}</table>`;
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(r.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style>
</head><body>
<h1>${escapeHtml(r.title)}</h1>
<table class="summary">${r.summary.map(([k, v]) => row([k, v])).join('')}</table>
<h2>Accuracy and loss</h2>
${figure('accuracy')}
${figure('loss')}
<h2>Schedule: ${escapeHtml(r.schedule.name)}</h2>
<table class="schedule">${row(['stage', 'epochs', 'image size', 'RandAugment magnitude', 'mixup alpha', 'CutMix alpha', 'dropout'], 'th')}
${r.schedule.stages.map((s, i) => row([i + 1, `${fmt(s.startEpoch, 2)} - ${fmt(s.endEpoch, 2)}`, s.imageSize, fmt(s.randAugmentMagnitude, 2), fmt(s.mixupAlpha, 3), fmt(s.cutmixAlpha, 3), fmt(s.dropout, 3)])).join('\n')}</table>
${figure('schedule')}
<h2>Throughput</h2>
${figure('throughput')}
${confusion}
${samples}
<h2>Epochs</h2>
<table class="epochs">${row(['epoch', 'train loss', 'train accuracy (%)', ...(hasValidation ? ['validation loss', 'validation accuracy (%)'] : []), 'test loss', 'test accuracy (%)', 'wall time (s)'], 'th')}
${r.epochs.map((e) => row([fmt(e.epoch, 2), fmt(e.trainLoss), pct(e.trainAccuracy), ...(hasValidation ? [fmt(e.validationLoss), pct(e.validationAccuracy)] : []), fmt(e.evalLoss), pct(e.evalAccuracy), fmt(e.elapsed, 1)])).join('\n')}</table>
</body></html>
`;
}

function samplesHtml(e: ReportEvaluation | undefined): string {
  if (!e?.samples.length) return '';
  const wrong = e.samples.filter((s) => s.label !== s.predicted).length;
  const cells = e.samples.map((s) => {
    const ok = s.label === s.predicted;
    const truth = e.classNames[s.label] ?? String(s.label);
    const predicted = e.classNames[s.predicted] ?? String(s.predicted);
    return `<div class="sample${ok ? '' : ' wrong'}"><img src="data:image/png;base64,${Buffer.from(encodeSampleImage(s)).toString('base64')}" alt="test image ${s.index}"><div>#${s.index} ${escapeHtml(truth)}</div><div class="pred">${ok ? '' : '✗ '}${escapeHtml(predicted)} ${(100 * s.confidence).toFixed(0)} %</div></div>`;
  });
  return `<h2>Test images</h2><p>The first ${e.samples.length} test images: true class, then predicted class and confidence; ${wrong} mistake${wrong === 1 ? '' : 's'} marked in red.</p><div class="samples">${cells.join('')}</div>`;
}

/**
 * Writes a report folder atomically: vector charts (SVG, drawn from Vega-Lite specs, which are
 * written beside them) of accuracy and loss against step, epoch and wall time, the schedule per
 * step, throughput and the confusion matrix, and `index.html` with the charts inline, the run's
 * metadata, the schedule, a grid of test images and the per-epoch table. The folder needs nothing
 * else: it renders from `file://` wherever it is copied. Returns the chart file names.
 */
export async function writeTrainingReport(dir: string, r: ReportInput): Promise<string[]> {
  const charts = reportCharts(r);
  const names = Object.keys(charts);
  const svgs: Record<string, string> = {};
  for (const name of names) svgs[name] = await renderSvg(charts[name]!);
  const files = names.map((n) => `${n}.svg`);
  await writeDirAtomic(
    dir,
    async (tmp) => {
      const { writeFile } = await import('node:fs/promises');
      const path = await import('node:path');
      for (const name of names) {
        await writeFile(path.join(tmp, `${name}.svg`), svgs[name]!);
        await writeFile(path.join(tmp, `${name}.vl.json`), `${JSON.stringify(charts[name], null, 1)}\n`);
      }
      await writeFile(path.join(tmp, 'index.html'), html(r, svgs, samplesHtml(r.evaluation)));
    },
    async (existing) => {
      const { existsSync } = await import('node:fs');
      const path = await import('node:path');
      return existsSync(path.join(existing, 'index.html'));
    },
  );
  return files;
}
