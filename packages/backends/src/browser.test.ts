import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedGolden } from '../../core/src/test-support/paths.js';
import type { BackendReport } from '../browser/page.js';
import { CHROMIUM, chromiumArgs, servePage } from '../browser/serve-and-run.js';

type Report = BackendReport;

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI) throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium (see .ci/run)`);

describe.skipIf(!haveChromium)(`in headless Chromium${haveChromium ? '' : ` (skipped: ${CHROMIUM} not installed; apt-get install chromium)`}`, () => {
  it('wasm and webgpu reproduce the golden logits and train', async () => {
    const { chromium } = await import('playwright-core');
    const { server, url } = await servePage(sharedGolden('dev-b0'));
    const profile = await mkdtemp(path.join(tmpdir(), 'effnet-chromium-'));
    const browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: chromiumArgs(), headless: true });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${url}?backends=wasm,webgpu`);
      await page.waitForFunction(() => (window as unknown as { effnetReport?: unknown }).effnetReport !== undefined, undefined, { timeout: 240_000 });
      const reports = (await page.evaluate(() => (window as unknown as { effnetReport: unknown }).effnetReport)) as Report[];
      expect(errors).toEqual([]);
      for (const r of reports) {
        expect(r.error, r.backend).toBeUndefined();
        expect(r.ok).toBe(true);
        expect(r.logitsRelErr!).toBeLessThan(1e-3);
        expect(r.foldedRelErr!).toBeLessThan(1e-3);
        expect(r.losses![2]!).toBeLessThan(r.losses![0]!);
        expect(r.leakedTensors).toBe(0);
      }
      expect(reports.map((r) => r.backend)).toEqual(['wasm', 'webgpu']);
      // wasm's compiled engine trains in the page, on worker threads (the page is cross-origin isolated).
      const wasm = reports[0]!;
      expect(wasm.crossOriginIsolated).toBe(true);
      expect(wasm.compiledThreads).toBeGreaterThanOrEqual(2);
      expect(wasm.compiledLosses).toHaveLength(3);
      expect(wasm.compiledLosses![2]!).toBeLessThan(wasm.compiledLosses![0]!);
      // Its first step starts from the same weights as the op-by-op run's first step.
      expect(Math.abs(wasm.compiledLosses![0]! - wasm.losses![0]!)).toBeLessThan(1e-3 * Math.abs(wasm.losses![0]!));
    } finally {
      await browser.close();
      server.close();
      await rm(profile, { recursive: true, force: true });
    }
  }, 300_000);
});
