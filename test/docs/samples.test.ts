import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { transform } from 'esbuild';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeKerasH5, readKerasWeights } from '@effnet/core';
import { sharedGolden } from '../../packages/core/src/test-support/paths.js';
import { startRegistryFixture, type RegistryFixture } from '../../packages/hub/src/test-support/registry-fixture.js';

const run = promisify(execFile);
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DOCS = path.join(REPO_ROOT, 'docs');
// Samples are written under the repository so that `@effnet/*` resolve to the built packages.
const SAMPLES = path.join(REPO_ROOT, 'node_modules', '.cache', 'effnet-doc-samples');

/**
 * How a ```ts block is marked after the language:
 * - `run`: a program; it runs and must print something.
 * - `run file=NAME.ts`: a module the reader saves as NAME.ts; later samples on the page import it
 *   as `./NAME.js`, and at least one must.
 * - `no-run`: shown only (it needs hardware or software the tests cannot assume); it must compile,
 *   and what it imports from `@effnet/*` must exist.
 * - nothing: prose-level code, allowed outside the guides.
 */
type Mode = 'run' | 'module' | 'no-run' | 'unmarked';

interface Sample {
  page: string;
  index: number;
  line: number;
  code: string;
  mode: Mode;
  /** For modules: the file name the reader saves it under. */
  file?: string;
}

/** Every ```ts block of a page with its marks. */
function extractSamples(page: string, text: string): Sample[] {
  const samples: Sample[] = [];
  const fence = /^```ts([^\S\n]+[^\n]*)?\n([\s\S]*?)^```\s*$/gm;
  for (let m = fence.exec(text); m; m = fence.exec(text)) {
    const marks = (m[1] ?? '').trim().split(/\s+/).filter(Boolean);
    const file = marks.find((w) => w.startsWith('file='))?.slice('file='.length);
    const mode: Mode = marks.includes('no-run') ? 'no-run' : marks.includes('run') ? (file ? 'module' : 'run') : 'unmarked';
    const unknown = marks.filter((w) => !['run', 'no-run'].includes(w) && !w.startsWith('file='));
    if (unknown.length || (file && !/^[\w-]+\.ts$/.test(file))) throw new Error(`docs/${page}: unknown marks on a ts block: ${m[1]}`);
    samples.push({ page, index: samples.length, line: text.slice(0, m.index).split('\n').length, code: m[2]!, mode, ...(file ? { file } : {}) });
  }
  return samples;
}

/** The values a sample imports from each `@effnet/*` package (`type` imports left out). */
function effnetImports(ts: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of ts.matchAll(/^import\s+(type\s+)?\{([^}]*)\}\s*from\s*['"](@effnet\/[\w-]+)['"]/gm)) {
    if (m[1]) continue;
    const names = m[2]!.split(',').map((n) => n.trim()).filter((n) => n && !n.startsWith('type ')).map((n) => n.split(/\s+as\s+/)[0]!);
    out.set(m[3]!, [...(out.get(m[3]!) ?? []), ...names]);
  }
  return out;
}

async function pages(): Promise<string[]> {
  const out: string[] = [];
  for (const dir of ['', 'concepts', 'guides']) {
    for (const f of await readdir(path.join(DOCS, dir))) if (f.endsWith('.md')) out.push(path.join(dir, f));
  }
  return out.sort();
}

/** A `flowers/<label>/<n>.png` folder of small generated images. */
async function writeFlowers(cwd: string): Promise<void> {
  for (const [label, shade] of [['daisy', 230], ['rose', 40]] as const) {
    await mkdir(path.join(cwd, 'flowers', label), { recursive: true });
    for (let i = 0; i < 2; i++) {
      const png = new PNG({ width: 24 + i * 8, height: 20 });
      for (let p = 0; p < png.data.length; p += 4) png.data.set([shade, (p / 4 + i * 31) % 256, 255 - shade, 255], p);
      await writeFile(path.join(cwd, 'flowers', label, `${i}.png`), PNG.sync.write(png));
    }
  }
}

/** Files a page's samples expect in their folder, as a reader would have them. */
const PAGE_SETUP: Record<string, (cwd: string) => Promise<void>> = {
  'guides/train-on-your-images.md': writeFlowers,
  'guides/pretrained-weights.md': async (cwd) => {
    await writeFlowers(cwd);
    // Keras' legacy weights of an EfficientNetV2-B0, and the same without classifier.
    const keras = await readFile(path.join(sharedGolden('dev-keras-b0'), 'weights.h5'));
    await writeFile(path.join(cwd, 'efficientnetv2-b0.h5'), keras);
    const layers = [...readKerasWeights(keras).layers].filter(([name]) => name !== 'predictions');
    const notop = layers.map(([name, weights]) => ({ name, weights: weights.map((w) => ({ variable: w.variable, shape: w.shape, data: w.read() })) }));
    await writeFile(path.join(cwd, 'efficientnetv2-b0_notop.h5'), encodeKerasH5(notop));
  },
};

let fx: RegistryFixture;
let all: Sample[];

beforeAll(async () => {
  fx = await startRegistryFixture();
  await mkdir(SAMPLES, { recursive: true });
  all = [];
  for (const page of await pages()) all.push(...extractSamples(page, await readFile(path.join(DOCS, page), 'utf8')));
});
afterAll(async () => {
  await fx?.cleanup();
  await rm(SAMPLES, { recursive: true, force: true });
});

describe('documentation code samples', () => {
  it('every TypeScript sample in the guides is marked to run or not to run', () => {
    const guides = all.filter((s) => s.page.startsWith('guides/'));
    expect(guides.filter((s) => s.mode === 'run').length).toBeGreaterThan(0);
    expect(guides.filter((s) => s.mode === 'unmarked').map((s) => `${s.page}:${s.line}`)).toEqual([]);
  });

  it('samples marked not to run compile, and import only what the packages export', async () => {
    const shown = all.filter((s) => s.mode === 'no-run');
    expect(shown.length).toBeGreaterThan(0);
    for (const s of shown) {
      await transform(s.code, { loader: 'ts', format: 'esm', target: 'node20', sourcefile: `${s.page}:${s.line}` });
      for (const [pkg, names] of effnetImports(s.code)) {
        const exported = (await import(pkg)) as Record<string, unknown>;
        expect(names.filter((n) => !(n in exported)), `docs/${s.page}:${s.line} imports from ${pkg}`).toEqual([]);
      }
    }
  });

  it('every sample marked to run runs against the built packages', async () => {
    const byPage = new Map<string, Sample[]>();
    for (const s of all.filter((x) => x.mode === 'run' || x.mode === 'module')) byPage.set(s.page, [...(byPage.get(s.page) ?? []), s]);
    expect(byPage.size).toBeGreaterThanOrEqual(6);
    await writeFile(path.join(SAMPLES, 'package.json'), JSON.stringify({ type: 'module' }));
    for (const [page, samples] of byPage) {
      // One folder per page: later samples see what earlier ones wrote, as a reader's would.
      const cwd = await mkdtemp(path.join(tmpdir(), 'effnet-doc-'));
      const dir = path.join(SAMPLES, page.replace(/[/.]/g, '_'));
      await mkdir(dir, { recursive: true });
      await PAGE_SETUP[page]?.(cwd);
      const env = { ...fx.env, npm_config_registry: fx.registry.url, NPM_TOKEN: fx.token };
      try {
        for (const s of samples) {
          const { code } = await transform(s.code, { loader: 'ts', format: 'esm', target: 'node20', sourcefile: `${page}:${s.line}` });
          if (s.mode === 'module') {
            const name = s.file!.replace(/\.ts$/, '.js');
            const importer = samples.find((o) => o.mode === 'run' && o.index > s.index && o.code.includes(`'./${name}'`));
            expect(importer, `docs/${page}:${s.line} (${s.file}) is imported by a later sample`).toBeDefined();
            await writeFile(path.join(dir, name), code);
            continue;
          }
          const file = path.join(dir, `sample-${s.index}.mjs`);
          await writeFile(file, code);
          const result = await run(process.execPath, [file], { cwd, env, timeout: 180_000 }).catch((e: { stdout: string; stderr: string }) => e);
          if ('code' in result && result.code !== 0) {
            throw new Error(`sample at docs/${page}:${s.line} failed:\n${result.stderr}`);
          }
          if (process.env.SHOW_DOC_OUTPUT) console.log(page, s.line, result.stdout);
          expect(result.stdout.length, `docs/${page}:${s.line} prints something`).toBeGreaterThan(0);
        }
      } finally {
        await rm(cwd, { recursive: true, force: true });
      }
    }
    expect(existsSync(SAMPLES)).toBe(true);
  });
});
