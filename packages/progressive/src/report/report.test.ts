import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confusionCounts, metricRows, thin } from './report-charts.js';
import { ProgressBar } from './progress.js';
import { encodeSampleImage } from './sample-images.js';
import { sampleRun } from './test-support/sample-run.js';
import { writeTrainingReport } from './training-report.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'effnet-report-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe('report', () => {
  it('writes vector charts, their Vega-Lite specs and one self-contained HTML page', async () => {
    const dir = path.join(tmp, 'report');
    const files = await writeTrainingReport(dir, sampleRun());
    expect(files).toEqual(['accuracy.svg', 'loss.svg', 'schedule.svg', 'throughput.svg', 'confusion.svg']);
    expect((await readdir(dir)).sort()).toEqual([...files, ...files.map((f) => f.replace('.svg', '.vl.json')), 'index.html'].sort());
    const accuracy = await readFile(path.join(dir, 'accuracy.svg'), 'utf8');
    expect(accuracy.startsWith('<svg')).toBe(true);
    // One line per series in each of the three panels (step, epoch, wall time), and the axis titles.
    expect((accuracy.match(/role-mark[^"]*"[^>]*>\s*<path/g) ?? []).length).toBeGreaterThanOrEqual(3);
    for (const axis of ['step', 'epoch', 'wall time (s)', 'top-1 accuracy (%)']) expect(accuracy).toContain(`>${axis}<`);
    for (const series of ['train (step)', 'validation', 'test']) expect(accuracy).toContain(series);
    const schedule = await readFile(path.join(dir, 'schedule.svg'), 'utf8');
    for (const knob of ['learning rate', 'image size (px)', 'RandAugment magnitude', 'mixup alpha', 'dropout']) expect(schedule).toContain(`>${knob}<`);
    const confusion = await readFile(path.join(dir, 'confusion.svg'), 'utf8');
    for (const name of ['cat', 'dog', 'bird', 'predicted class', 'true class']) expect(confusion).toContain(`>${name}<`);
    const html = await readFile(path.join(dir, 'index.html'), 'utf8');
    expect(html).toContain('<td>test accuracy</td><td>84.00 %</td>');
    expect((html.match(/<svg/g) ?? []).length).toBe(5); // every chart inline: the page needs no other file
    expect(html).not.toMatch(/<script|src="(?!data:)/); // nothing loaded from elsewhere
    expect(html).toContain('class="sample wrong"'); // the mistake is marked
    expect(html).toContain('<tr><td>cat</td><td>1</td><td>1</td><td>0</td></tr>'); // confusion table row
    expect(html).not.toContain(tmp); // no absolute path of this machine
    const spec = JSON.parse(await readFile(path.join(dir, 'accuracy.vl.json'), 'utf8')) as { $schema: string };
    expect(spec.$schema).toMatch(/vega-lite\/v6/);
  });

  it('metric rows hold per-step training and per-epoch validation and test values', () => {
    const r = sampleRun();
    const rows = metricRows(r.steps, r.epochs);
    expect(rows.filter((x) => x.series === 'train (step)')).toHaveLength(40);
    expect(rows.filter((x) => x.series === 'test').map((x) => x.accuracy)).toEqual([54, 64, 74, 84].map((v) => expect.closeTo(v, 9)));
    expect(rows.find((x) => x.series === 'validation' && x.epoch === 4)!.seconds).toBe(r.epochs[3]!.elapsed);
  });

  it('thins long series by averaging runs of points', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => ({ step: i + 1, loss: i % 2 }));
    const out = thin(rows, 100);
    expect(out).toHaveLength(100);
    expect(out[0]).toEqual({ step: 10, loss: 0.5 });
  });

  it('counts the confusion matrix by true and predicted class', () => {
    expect(confusionCounts(sampleRun().evaluation!)).toEqual([[1, 1, 0], [0, 2, 0], [1, 0, 1]]);
  });

  it('encodes sample images as RGB PNGs', () => {
    const s = sampleRun().evaluation!.samples[0]!;
    const png = PNG.sync.read(Buffer.from(encodeSampleImage(s)));
    expect([png.width, png.height, png.data[0], png.data[3]]).toEqual([8, 8, 200, 255]);
  });

  it('the progress bar shows stage, size, magnitude, loss, accuracy, images/s and ETA', () => {
    const out: string[] = [];
    const bar = new ProgressBar((t) => out.push(t), false, 0);
    bar.handle({ type: 'start', step: 0, totalSteps: 20, stepsPerEpoch: 10, epochs: 2, schedule: 'two', parameters: 1234 });
    bar.handle({ type: 'stage', step: 0, index: 0, stages: 2, stage: { startEpoch: 0, endEpoch: 1, imageSize: 16, dropout: 0.1, randAugmentMagnitude: 2, mixupAlpha: 0, cutmixAlpha: 0 } });
    bar.handle({ ...sampleRun().steps[4]!, loss: 1 / 3, accuracy: 0.25, imagesPerSecond: 100, eta: 8 });
    expect(out.at(-1)).toMatch(/stage 1\/2 16px RA 2 \| epoch 0\.50 loss 0\.3333 acc 25\.0% \| 100 img\/s ETA 8s/);
  });
});
