import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CHROMIUM, chromiumArgs } from '../../../backends/browser/serve-and-run.js';
import { sampleRun } from './test-support/sample-run.js';
import { writeTrainingReport } from './training-report.js';

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI) throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium (see .ci/run)`);

/** Where the screenshot is left for CI to keep (`out/` of the repository). */
const ARTEFACTS = path.resolve(import.meta.dirname, '../../../../out/report-test');

describe.skipIf(!haveChromium)(`the training report in headless Chromium${haveChromium ? '' : ` (skipped: ${CHROMIUM} not installed)`}`, () => {
  it('renders every chart with its series and axes from file://, also after the folder is copied elsewhere', async () => {
    const { chromium } = await import('playwright-core');
    const tmp = await mkdtemp(path.join(tmpdir(), 'effnet-report-browser-'));
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: chromiumArgs(), headless: true });
    try {
      const written = path.join(tmp, 'written', 'report');
      await writeTrainingReport(written, sampleRun());
      // The folder moved elsewhere, as a user would copy it: it must need nothing from where it was written.
      const copied = path.join(tmp, 'elsewhere', 'copy');
      await cp(written, copied, { recursive: true });
      await rm(written, { recursive: true, force: true });
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const failed: string[] = [];
      page.on('requestfailed', (r) => failed.push(r.url()));
      page.on('pageerror', (e) => failed.push(e.message));
      await page.goto(pathToFileURL(path.join(copied, 'index.html')).href);
      const charts = await page.$$eval('figure[data-chart]', (figures) =>
        figures.map((f) => {
          const svg = f.querySelector('svg')!;
          const box = svg.getBoundingClientRect();
          return {
            name: f.getAttribute('data-chart'),
            width: box.width,
            lines: svg.querySelectorAll('g.mark-line path, g.role-mark.mark-line path').length,
            rects: svg.querySelectorAll('g.mark-rect path').length,
            texts: Array.from(svg.querySelectorAll('text'), (t) => t.textContent ?? ''),
          };
        }),
      );
      expect(charts.map((c) => c.name)).toEqual(['accuracy', 'loss', 'schedule', 'throughput', 'confusion']);
      for (const c of charts) expect(c.width, c.name!).toBeGreaterThan(200);
      const by = Object.fromEntries(charts.map((c) => [c.name, c]));
      // Accuracy and loss: 3 panels (step, epoch, wall time), each with the per-step line and the per-epoch lines.
      for (const name of ['accuracy', 'loss']) {
        expect(by[name]!.lines, name).toBeGreaterThanOrEqual(6);
        for (const axis of ['step', 'epoch', 'wall time (s)']) expect(by[name]!.texts).toContain(axis);
        for (const series of ['train (step)', 'validation', 'test']) expect(by[name]!.texts).toContain(series);
      }
      expect(by.schedule!.lines).toBe(5);
      expect(by.schedule!.texts).toContain('RandAugment magnitude');
      expect(by.confusion!.rects).toBeGreaterThanOrEqual(1);
      expect(by.confusion!.texts).toEqual(expect.arrayContaining(['cat', 'dog', 'bird', 'predicted class', 'true class']));
      // The sample grid: images decoded, the mistake marked.
      const samples = await page.$$eval('.sample img', (imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth));
      expect(samples).toEqual([8, 8]);
      expect(await page.locator('.sample.wrong').count()).toBe(1);
      expect(failed).toEqual([]);
      await mkdir(ARTEFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTEFACTS, 'report.png'), fullPage: true });
    } finally {
      await browser.close();
      await rm(tmp, { recursive: true, force: true });
    }
  }, 120_000);
});
