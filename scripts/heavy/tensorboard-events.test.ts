// effnet's TensorBoard event files read back by TensorBoard's own reader (pip's `tensorboard`,
// EventAccumulator): every scalar at its step, and the sample images. Python: EFFNET_TB_PYTHON,
// else the first of python3, /usr/bin/python3 that imports tensorboard; under CI=true pip installs
// it when none does, and the test fails rather than skips.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const env = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' };
const importsTensorBoard = (exe: string) => spawnSync(exe, ['-c', 'import tensorboard'], { stdio: 'ignore', env }).status === 0;

function findPython(): string | undefined {
  const candidates = [process.env.EFFNET_TB_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);
  let found = candidates.find(importsTensorBoard);
  if (!found && process.env.CI) {
    spawnSync('python3', ['-m', 'pip', 'install', '-q', 'tensorboard'], { stdio: 'inherit' });
    found = candidates.find(importsTensorBoard);
    if (!found) throw new Error('CI: pip install tensorboard did not give a Python that imports tensorboard');
  }
  return found;
}

const python = findPython();

describe.skipIf(!python)(`TensorBoard reads effnet's event files${python ? '' : ' (skipped: no Python with tensorboard; pip install tensorboard)'}`, () => {
  it('every scalar and sample image comes back at its step', async () => {
    const dist = path.join(root, 'packages/progressive/dist/index.js');
    if (!existsSync(dist)) throw new Error('packages/progressive/dist is missing: run npm run build first');
    const { writeRunEvents } = (await import(pathToFileURL(dist).href)) as typeof import('../../packages/progressive/src/index.js');
    const { sampleRun } = await import('../../packages/progressive/src/report/test-support/sample-run.js');
    const r = sampleRun();
    const dir = await mkdtemp(path.join(tmpdir(), 'effnet-tb-heavy-'));
    try {
      await writeRunEvents(dir, { steps: r.steps, epochs: r.epochs, startTime: 1_700_000_000, samples: r.evaluation!.samples, classNames: r.evaluation!.classNames });
      const run = spawnSync(python!, [path.join(root, 'scripts/heavy/tensorboard_check.py'), dir], { encoding: 'utf8', env, maxBuffer: 64 << 20 });
      expect(run.status, run.stderr).toBe(0);
      type Run = { scalars: Record<string, [number, number][]>; images: Record<string, [number, number, number]> };
      const read = JSON.parse(run.stdout) as Record<string, Run>;
      expect(Object.keys(read).sort()).toEqual(['test', 'train', 'validation']);
      const f32 = (v: number) => Math.fround(v);
      expect(read.train!.scalars.batch_loss).toEqual(r.steps.map((s) => [s.step, f32(s.loss)]));
      expect(read.train!.scalars.image_size).toEqual(r.steps.map((s) => [s.step, s.imageSize]));
      expect(read.train!.scalars.learning_rate).toEqual(r.steps.map((s) => [s.step, f32(s.learningRate)]));
      expect(read.train!.scalars.epoch_accuracy).toEqual(r.epochs.map((e) => [e.epoch, f32(e.trainAccuracy)]));
      expect(read.validation!.scalars.epoch_loss).toEqual(r.epochs.map((e) => [e.epoch, f32(e.validationLoss!)]));
      expect(read.test!.scalars.epoch_accuracy).toEqual(r.epochs.map((e) => [e.epoch, f32(e.evalAccuracy!)]));
      expect(Object.keys(read.test!.images)).toEqual(['samples/0: cat -> cat', 'samples/1: cat -> dog']);
      expect(read.test!.images['samples/1: cat -> dog']!.slice(0, 2)).toEqual([8, 8]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
