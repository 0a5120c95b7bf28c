import type { TopLevelSpec } from 'vega-lite';
import type { EpochEvent, StepEvent } from '../train/train-events.js';

/** Predictions on the evaluation set, for the confusion matrix. */
export interface ConfusionInput {
  classNames: string[];
  labels: ArrayLike<number>;
  predicted: ArrayLike<number>;
}

/** The x axes every metric chart is drawn against. */
const X_AXES = [
  { field: 'step', title: 'step' },
  { field: 'epoch', title: 'epoch' },
  { field: 'seconds', title: 'wall time (s)' },
] as const;

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const WIDTH = 260;
const HEIGHT = 200;

/** Averages runs of consecutive rows so that a chart holds at most `max` points per series. */
export function thin<T extends Record<string, number | string>>(rows: T[], max = 300): T[] {
  if (rows.length <= max) return rows;
  const per = Math.ceil(rows.length / max);
  const out: T[] = [];
  for (let i = 0; i < rows.length; i += per) {
    const chunk = rows.slice(i, i + per);
    const last = chunk[chunk.length - 1]!;
    const mean = { ...last } as Record<string, number | string>;
    for (const key of ['loss', 'accuracy', 'imagesPerSecond']) {
      if (typeof last[key] === 'number') mean[key] = chunk.reduce((a, r) => a + (r[key] as number), 0) / chunk.length;
    }
    out.push(mean as T);
  }
  return out;
}

/** Long-format rows of loss and accuracy: per-step training values and per-epoch evaluations. */
export function metricRows(steps: StepEvent[], epochs: EpochEvent[]): Record<string, number | string>[] {
  const train = thin(steps.map((s) => ({ series: 'train (step)', step: s.step, epoch: s.epoch, seconds: s.elapsed, loss: s.loss, accuracy: 100 * s.accuracy })));
  const evaluated: Record<string, number | string>[] = [];
  for (const e of epochs) {
    const at = { step: e.step, epoch: e.epoch, seconds: e.elapsed };
    evaluated.push({ series: 'train (epoch mean)', ...at, loss: e.trainLoss, accuracy: 100 * e.trainAccuracy });
    if (e.validationAccuracy !== undefined) evaluated.push({ series: 'validation', ...at, loss: e.validationLoss!, accuracy: 100 * e.validationAccuracy });
    if (e.evalAccuracy !== undefined) evaluated.push({ series: 'test', ...at, loss: e.evalLoss!, accuracy: 100 * e.evalAccuracy });
  }
  return [...train, ...evaluated];
}

/** One metric (loss or accuracy) against step, epoch and wall time, every series in its colour. */
export function metricChart(rows: Record<string, number | string>[], metric: 'loss' | 'accuracy'): TopLevelSpec {
  const title = metric === 'loss' ? 'cross-entropy loss' : 'top-1 accuracy (%)';
  return {
    $schema: SCHEMA,
    title: metric === 'loss' ? 'Loss' : 'Accuracy',
    data: { values: rows },
    hconcat: X_AXES.map((x) => ({
      width: WIDTH,
      height: HEIGHT,
      layer: [
        { mark: { type: 'line', strokeWidth: 1.5 }, transform: [{ filter: "datum.series === 'train (step)'" }] },
        { mark: { type: 'line', point: true }, transform: [{ filter: "datum.series !== 'train (step)'" }] },
      ],
      encoding: {
        x: { field: x.field, type: 'quantitative', title: x.title },
        y: { field: metric, type: 'quantitative', title, scale: { zero: false } },
        color: { field: 'series', type: 'nominal', title: null, scale: { domain: ['train (step)', 'train (epoch mean)', 'validation', 'test'] } },
        tooltip: [{ field: 'series' }, { field: x.field, format: '.2f' }, { field: metric, format: '.4f' }],
      },
    })),
    config: { legend: { orient: 'bottom' } },
  } as TopLevelSpec;
}

/** The schedule as it ran, per step: learning rate, image size, RandAugment magnitude, mixup alpha, dropout. */
export function scheduleChart(steps: StepEvent[]): TopLevelSpec {
  const knobs = [
    ['learningRate', 'learning rate'],
    ['imageSize', 'image size (px)'],
    ['magnitude', 'RandAugment magnitude'],
    ['mixupAlpha', 'mixup alpha'],
    ['dropout', 'dropout'],
  ] as const;
  const every = Math.max(1, Math.ceil(steps.length / 400));
  const rows = steps.filter((_, i) => i % every === 0 || i === steps.length - 1).map((s) => ({ step: s.step, epoch: s.epoch, learningRate: s.learningRate, imageSize: s.imageSize, magnitude: s.magnitude, mixupAlpha: s.mixupAlpha, dropout: s.dropout }));
  return {
    $schema: SCHEMA,
    title: 'Schedule (per step)',
    data: { values: rows },
    hconcat: knobs.map(([field, title]) => ({
      width: 150,
      height: 120,
      mark: { type: 'line', interpolate: field === 'learningRate' ? 'linear' : 'step-after' },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'step' },
        y: { field, type: 'quantitative', title, scale: { zero: field !== 'imageSize' } },
        tooltip: [{ field: 'step' }, { field: 'epoch', format: '.2f' }, { field, format: '.4g' }],
      },
    })),
  } as TopLevelSpec;
}

/** Training throughput (images per second, smoothed) per step, coloured by image size. */
export function throughputChart(steps: StepEvent[]): TopLevelSpec {
  const rows = thin(steps.map((s) => ({ step: s.step, imagesPerSecond: s.imagesPerSecond, imageSize: `${s.imageSize} px` })));
  return {
    $schema: SCHEMA,
    title: 'Throughput',
    data: { values: rows },
    width: 2 * WIDTH,
    height: HEIGHT,
    mark: { type: 'line', strokeWidth: 1.5 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step' },
      y: { field: 'imagesPerSecond', type: 'quantitative', title: 'images/s' },
      color: { field: 'imageSize', type: 'nominal', title: 'image size', sort: { field: 'step' } },
      tooltip: [{ field: 'step' }, { field: 'imagesPerSecond', format: '.0f' }, { field: 'imageSize' }],
    },
  } as TopLevelSpec;
}

/** Counts of (true class, predicted class) over the evaluation set. */
export function confusionCounts(c: ConfusionInput): number[][] {
  const n = c.classNames.length;
  const m = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < c.labels.length; i++) m[c.labels[i]!]![c.predicted[i]!]!++;
  return m;
}

/** The confusion matrix as a heat map with counts (rows: true class, columns: predicted). */
export function confusionChart(c: ConfusionInput): TopLevelSpec {
  const m = confusionCounts(c);
  const names = c.classNames;
  const rows = m.flatMap((row, t) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    return row.map((count, p) => ({ truth: names[t]!, predicted: names[p]!, count, share: count / total }));
  });
  return {
    $schema: SCHEMA,
    title: 'Confusion matrix (test set)',
    data: { values: rows },
    width: 36 * names.length,
    height: 36 * names.length,
    encoding: {
      x: { field: 'predicted', type: 'nominal', sort: names, title: 'predicted class' },
      y: { field: 'truth', type: 'nominal', sort: names, title: 'true class' },
    },
    layer: [
      { mark: 'rect', encoding: { color: { field: 'share', type: 'quantitative', title: 'share of row', scale: { scheme: 'blues', domain: [0, 1] } }, tooltip: [{ field: 'truth' }, { field: 'predicted' }, { field: 'count' }] } },
      { mark: { type: 'text', fontSize: 9 }, encoding: { text: { field: 'count', type: 'quantitative' }, color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: 'black' } } },
    ],
  } as TopLevelSpec;
}

/** A run of an experiment for {@link accuracyVsTimeChart}: label, arm, and (seconds, accuracy) points. */
export interface CurveRun {
  arm: string;
  run: string;
  points: { seconds: number; accuracy: number }[];
}

/** Test accuracy against training wall time, one line per run, coloured by arm. */
export function accuracyVsTimeChart(runs: CurveRun[], target?: number): TopLevelSpec {
  const rows = runs.flatMap((r) => r.points.map((p) => ({ arm: r.arm, run: r.run, seconds: p.seconds, accuracy: 100 * p.accuracy })));
  const layers: Record<string, unknown>[] = [
    {
      mark: { type: 'line', point: true, strokeWidth: 1.5 },
      encoding: {
        x: { field: 'seconds', type: 'quantitative', title: 'training wall time (s)' },
        y: { field: 'accuracy', type: 'quantitative', title: 'test accuracy (%)', scale: { zero: false } },
        color: { field: 'arm', type: 'nominal', title: 'arm' },
        detail: { field: 'run' },
        tooltip: [{ field: 'run' }, { field: 'seconds', format: '.1f' }, { field: 'accuracy', format: '.2f' }],
      },
    },
  ];
  if (target !== undefined) {
    layers.push({ data: { values: [{ target: 100 * target }] }, mark: { type: 'rule', strokeDash: [4, 4], color: 'gray' }, encoding: { y: { field: 'target', type: 'quantitative' } } });
  }
  return { $schema: SCHEMA, title: 'Test accuracy against training time', width: 640, height: 360, data: { values: rows }, layer: layers, config: { legend: { orient: 'bottom' } } } as unknown as TopLevelSpec;
}
