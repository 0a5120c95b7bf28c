import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateSchedule } from '../schedule/validate-schedule.js';
import type { StepEvent } from '../train/train-events.js';
import { niceTicks } from './line-chart.js';
import { ProgressBar } from './progress.js';
import { writeTrainingReport } from './training-report.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'effnet-report-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

const step = (i: number): StepEvent => ({
  type: 'step', step: i, epoch: i / 10, stage: i < 10 ? 0 : 1, imageSize: i < 10 ? 16 : 24, magnitude: 2, mixupAlpha: 0, cutmixAlpha: 0, dropout: 0.1,
  learningRate: 0.01, loss: 2 / (1 + i), accuracy: i / 20, imagesPerSecond: 100, elapsed: i * 0.5, eta: 10 - i * 0.5,
});

describe('report', () => {
  it('writes PNG charts and an HTML page', async () => {
    const schedule = validateSchedule({ name: 'two', stages: [{ endEpoch: 1, imageSize: 16 }, { endEpoch: 2, imageSize: 24, dropout: 0.2 }] });
    const dir = path.join(tmp, 'report');
    const files = await writeTrainingReport(dir, {
      title: 'test run',
      schedule,
      steps: Array.from({ length: 20 }, (_, i) => step(i + 1)),
      epochs: [{ type: 'epoch', epoch: 1, step: 10, trainLoss: 0.5, trainAccuracy: 0.7, evalLoss: 0.6, evalAccuracy: 0.65, evalSize: 24, elapsed: 5 }],
      summary: [['test accuracy', '65 %']],
    });
    expect(files).toEqual(['loss-vs-epoch.png', 'accuracy-vs-epoch.png', 'loss-vs-time.png', 'accuracy-vs-time.png', 'schedule-size.png', 'schedule-regularization.png']);
    expect((await readdir(dir)).sort()).toEqual([...files, 'index.html'].sort());
    for (const f of files) {
      const png = PNG.sync.read(await readFile(path.join(dir, f)));
      expect([png.width, png.height]).toEqual([720, 420]);
      const colored = new Set<string>();
      for (let i = 0; i < png.data.length; i += 4) if (png.data[i] !== png.data[i + 1]) colored.add(`${png.data[i]},${png.data[i + 1]},${png.data[i + 2]}`);
      expect(colored.size).toBeGreaterThan(0); // a series was drawn
    }
    const html = await readFile(path.join(dir, 'index.html'), 'utf8');
    expect(html).toContain('<img src="loss-vs-epoch.png"');
    expect(html).toContain('<td>test accuracy</td><td>65 %</td>');
  });

  it('ticks are round numbers covering the range', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(13, 97)).toEqual([20, 40, 60, 80]);
  });

  it('the progress bar shows stage, size, magnitude, loss, accuracy, images/s and ETA', () => {
    const out: string[] = [];
    const bar = new ProgressBar((t) => out.push(t), false, 0);
    bar.handle({ type: 'start', step: 0, totalSteps: 20, stepsPerEpoch: 10, epochs: 2, schedule: 'two', parameters: 1234 });
    bar.handle({ type: 'stage', step: 0, index: 0, stages: 2, stage: { startEpoch: 0, endEpoch: 1, imageSize: 16, dropout: 0.1, randAugmentMagnitude: 2, mixupAlpha: 0, cutmixAlpha: 0 } });
    bar.handle(step(5));
    expect(out.at(-1)).toMatch(/stage 1\/2 16px RA 2 \| epoch 0\.50 loss 0\.3333 acc 25\.0% \| 100 img\/s ETA 8s/);
  });
});
