import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, expectCleanError, runEffnet, type Result } from './test-support/run-effnet.js';

const effnet = (...args: string[]) => runEffnet(args);
let tmp: string;

const TINY = { blocks: ['r1_k3_s1_e1_i8_o8_c1', 'r1_k3_s2_e2_i8_o16_se0.25'], stemChannels: 8, headChannels: 32, name: 'tiny' };
const SCHEDULE = { name: 'test', stages: [{ endEpoch: 1, imageSize: 12, dropout: 0.05 }, { endEpoch: 3, imageSize: 16, dropout: 0.1, randAugmentMagnitude: 2 }] };

function idx(shape: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * shape.length + data.length);
  out.set([0, 0, 8, shape.length]);
  shape.forEach((d, i) => new DataView(out.buffer).setUint32(4 + 4 * i, d));
  out.set(data, 4 + 4 * shape.length);
  return out;
}

/** IDX files of 12x12 images where class c lights one corner. */
async function writeCorners(dir: string, split: 'train' | 't10k', n: number, classes = 3, labelOf = (i: number) => i % classes): Promise<void> {
  await mkdir(dir, { recursive: true });
  const px = new Uint8Array(n * 144);
  const labels = Uint8Array.from({ length: n }, (_, i) => labelOf(i));
  for (let i = 0; i < n; i++) {
    const c = labels[i]! % 4;
    const [r0, c0] = [c >> 1 ? 6 : 0, c & 1 ? 6 : 0];
    for (let r = 0; r < 12; r++) for (let q = 0; q < 12; q++) px[i * 144 + r * 12 + q] = (r >= r0 && r < r0 + 6 && q >= c0 && q < c0 + 6 ? 180 : 0) + ((i * 31 + r * 7 + q * 13) % 50);
  }
  await writeFile(path.join(dir, `${split}-images-idx3-ubyte`), idx([n, 12, 12], px));
  await writeFile(path.join(dir, `${split}-labels-idx1-ubyte`), idx([n], labels));
}

function png(value: number): Buffer {
  const p = new PNG({ width: 6, height: 6 });
  for (let i = 0; i < p.data.length; i += 4) p.data.set([value, value, value, 255], i);
  return PNG.sync.write(p);
}

const trainArgs = (out: string, ...extra: string[]) => [
  'train', '--data', path.join(tmp, 'corners'), '--arch', path.join(tmp, 'tiny.json'), '--schedule', path.join(tmp, 'schedule.json'),
  '--out', out, '--batch-size', '8', '--lr', '0.02', '--warmup-epochs', '0.2', '--backend', 'cpu', '--seed', '3', ...extra,
];

/** A failed run whose last stderr line is the one-line error (progress lines may come before it). */
function expectErrorLine(r: Result, pattern: RegExp): void {
  expect(r.code).toBe(1);
  const last = r.stderr.trim().split('\n').at(-1)!;
  expect(last).toMatch(/^effnet: /);
  expect(last).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of await readdir(dir, { recursive: true })) {
    const p = path.join(dir, f);
    if ((await stat(p)).isFile()) out[f] = (await readFile(p)).toString('base64');
  }
  return out;
}

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first (npm test does)`);
  tmp = await mkdtemp(path.join(tmpdir(), 'effnet-train-'));
  await writeCorners(path.join(tmp, 'corners'), 'train', 48);
  await writeCorners(path.join(tmp, 'corners'), 't10k', 24);
  await writeFile(path.join(tmp, 'tiny.json'), JSON.stringify(TINY));
  await writeFile(path.join(tmp, 'schedule.json'), JSON.stringify(SCHEDULE));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe('effnet schedule', () => {
  it('prints the paper\'s Table 6 per stage', async () => {
    const r = await effnet('schedule', 'efficientnetv2-m', '--preset', 'paper', '--json');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as { evalSize: number; stages: { epochs: number[]; imageSize: number; randAugmentMagnitude: number; mixupAlpha: number; cutmixAlpha: number; dropout: number }[] };
    expect(s.stages.map((x) => x.imageSize)).toEqual([128, 212, 296, 380]);
    expect(s.stages.map((x) => x.randAugmentMagnitude)).toEqual([5, 10, 15, 20]);
    expect(s.stages.map((x) => x.mixupAlpha)).toEqual([0, 0.0667, 0.1333, 0.2]);
    expect(s.stages.map((x) => x.cutmixAlpha)).toEqual([0, 0, 0, 0]);
    expect(s.stages.map((x) => x.dropout)).toEqual([0.1, 0.2, 0.3, 0.4]);
    expect(s.stages.map((x) => x.epochs)).toEqual([[0, 87.5], [87.5, 175], [175, 262.5], [262.5, 350]]);
    expect(s.evalSize).toBe(480);
  });

  it('prints the official code\'s settings, with --epochs', async () => {
    const r = await effnet('schedule', 'efficientnetv2-l', '--preset', 'official', '--epochs', '100', '--json');
    const s = JSON.parse(r.stdout) as { stages: { epochs: number[]; imageSize: number; randAugmentMagnitude: number; mixupAlpha: number; cutmixAlpha: number; dropout: number }[] };
    expect(s.stages.map((x) => x.imageSize)).toEqual([192, 256, 320, 384]);
    expect(s.stages.map((x) => x.randAugmentMagnitude)).toEqual([5, 10, 15, 20]);
    expect(s.stages.map((x) => x.cutmixAlpha)).toEqual([0, 0.1667, 0.3333, 0.5]);
    expect(s.stages.map((x) => x.mixupAlpha)).toEqual([0, 0.1667, 0.3333, 0.5]);
    expect(s.stages.map((x) => x.dropout)).toEqual([0.4, 0.4, 0.4, 0.4]);
    expect(s.stages.map((x) => x.epochs)).toEqual([[0, 25], [25, 50], [50, 75], [75, 100]]);
    const text = await effnet('schedule', 'efficientnetv2-s', '--preset', 'official');
    expect(text.stdout).toMatch(/official efficientnetv2-s\n.*image size/);
    expect(text.stdout).toMatch(/evaluation size: 384/);
  });

  it('a schedule file with stages out of order names the field', async () => {
    const bad = path.join(tmp, 'bad-schedule.json');
    await writeFile(bad, JSON.stringify({ stages: [{ endEpoch: 2, imageSize: 16 }, { startEpoch: 1, endEpoch: 3, imageSize: 24 }] }));
    expectCleanError(await effnet('schedule', 'efficientnetv2-s', '--preset', bad), /bad-schedule\.json: stages\[1\]\.startEpoch: stages must be contiguous and in epoch order \(expected 2, got 1\)/);
    expectCleanError(await effnet(...trainArgs(path.join(tmp, 'never'), '--schedule', bad)), /bad-schedule\.json: stages\[1\]\.startEpoch/);
    expect(existsSync(path.join(tmp, 'never'))).toBe(false);
  });
});

describe('effnet train', () => {
  it('a short run lowers the loss and writes metrics, a checkpoint, the model and a report', async () => {
    const out = path.join(tmp, 'short');
    const r = await effnet(...trainArgs(out));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/trained after 18 steps .*eval accuracy [\d.]+ %/);
    expect(r.stderr).toMatch(/stage 2\/2: epochs 1-3, 16px, RandAugment 2/);
    const steps = (await readFile(path.join(out, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { type: string; loss: number }).filter((e) => e.type === 'step');
    expect(steps).toHaveLength(18);
    const mean = (xs: { loss: number }[]) => xs.reduce((a, e) => a + e.loss, 0) / xs.length;
    expect(mean(steps.slice(-5))).toBeLessThan(mean(steps.slice(0, 5)));
    expect((await readdir(path.join(out, 'report'))).sort()).toContain('index.html');
    expect(existsSync(path.join(out, 'model', 'model.json'))).toBe(true);
    expect(JSON.parse(await readFile(path.join(out, 'checkpoint', 'state.json'), 'utf8')).step).toBe(18);
    const stopped = await effnet(...trainArgs(path.join(tmp, 'stopped'), '--max-steps', '4'));
    expect(stopped.stdout).toMatch(/stopped after 4 steps/);
  });

  it('held-out validation chooses the kept weights; crops and flips; every epoch evaluated; TensorBoard logs', async () => {
    const out = path.join(tmp, 'validated');
    const r = await effnet(...trainArgs(out, '--validation', '8', '--crop', '0.5', '--small-images', 'crop'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/trained after 15 steps/); // 40 training images left, 5 steps per epoch
    type Event = { type: string; epoch: number; validationAccuracy?: number; evalAccuracy?: number; evaluationSeconds?: number; bestEpoch?: number };
    const events = (await readFile(path.join(out, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Event);
    const epochs = events.filter((e) => e.type === 'epoch');
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    for (const e of epochs) {
      expect(e.validationAccuracy).toBeTypeOf('number');
      expect(e.evalAccuracy).toBeTypeOf('number');
    }
    expect(epochs[2]!.evaluationSeconds!).toBeGreaterThan(epochs[0]!.evaluationSeconds!);
    const best = epochs.reduce((a, e) => (e.validationAccuracy! > a.validationAccuracy! ? e : a));
    expect(events.find((e) => e.type === 'end')!.bestEpoch).toBe(best.epoch);
    expect(JSON.parse(await readFile(path.join(out, 'checkpoint', 'state.json'), 'utf8')).best.epoch).toBe(best.epoch);
    const report = await readdir(path.join(out, 'report'));
    for (const f of ['index.html', 'accuracy.svg', 'loss.svg', 'schedule.svg', 'throughput.svg', 'confusion.svg']) expect(report).toContain(f);
    const html = await readFile(path.join(out, 'report', 'index.html'), 'utf8');
    expect(html).toMatch(/best on validation/);
    expect(html).toMatch(/random resized crop, area 0\.5-1/);
    expect(html).toMatch(/random windows at the last stage&#39;s scale|random windows at the last stage's scale/);
    expect(html).not.toContain(tmp);
    expect((await readdir(path.join(out, 'tensorboard'))).sort()).toEqual(['test', 'train', 'validation']);
  });

  it('a second run on a folder another run is writing is refused, naming the first', async () => {
    const out = path.join(tmp, 'busy');
    await mkdir(out, { recursive: true });
    await writeFile(path.join(out, '.effnet.lock'), JSON.stringify({ pid: process.pid, host: hostname(), command: 'effnet fashion-mnist', since: '2026-01-01T00:00:00.000Z' }));
    const r = await effnet(...trainArgs(out));
    expectErrorLine(r, new RegExp(`busy: is being written by another run; wait for it, or choose another output folder \\(expected no other writer, got pid ${process.pid} on .* \\(effnet fashion-mnist\\)`));
    expect(await readdir(out)).toEqual(['.effnet.lock']);
  });

  it('killed with SIGKILL and resumed, it ends with the weights of an uninterrupted run (cpu)', async () => {
    const whole = path.join(tmp, 'whole');
    const cut = path.join(tmp, 'cut');
    expect((await effnet(...trainArgs(whole))).code).toBe(0);
    const child = spawn(process.execPath, [BIN, ...trainArgs(cut)], { stdio: 'ignore' });
    const state = path.join(cut, 'checkpoint', 'state.json');
    let killedAt = -1;
    for (let t = 0; t < 1200 && killedAt < 0; t++) {
      await new Promise((res) => setTimeout(res, 25));
      if (existsSync(state)) {
        child.kill('SIGKILL');
        killedAt = JSON.parse(await readFile(state, 'utf8')).step as number;
      }
    }
    await new Promise((res) => child.once('exit', res));
    expect(killedAt).toBeGreaterThan(0);
    expect(killedAt).toBeLessThan(18);
    expect(existsSync(path.join(cut, 'model'))).toBe(false);
    const again = await effnet(...trainArgs(cut));
    expectCleanError(again, /checkpoint: holds a checkpoint: pass --resume to continue it/);
    const resumed = await effnet(...trainArgs(cut, '--resume'));
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`resuming at step ${killedAt}`));
    const a = await snapshot(path.join(whole, 'model'));
    const b = await snapshot(path.join(cut, 'model'));
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const f of Object.keys(a)) expect(b[f], f).toBe(a[f]);
    const metrics = (await readFile(path.join(cut, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { type: string; step: number });
    expect(metrics.filter((e) => e.type === 'step').map((e) => e.step)).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
  });

  it('a resume with another architecture stops and changes nothing', async () => {
    const out = path.join(tmp, 'short');
    const before = await snapshot(out);
    const other = path.join(tmp, 'other.json');
    await writeFile(other, JSON.stringify({ ...TINY, headChannels: 48 }));
    const r = await effnet(...trainArgs(out, '--resume', '--arch', other));
    expectCleanError(r, /checkpoint[/\\]state\.json: architecture\.headChannels: was written for another architecture \(tiny\).*\(expected 48, got 32\)/);
    expect(await snapshot(out)).toEqual(before);
  });

  it('bad data stops with a line naming the file or folder', async () => {
    const folder = path.join(tmp, 'folder');
    await mkdir(path.join(folder, 'a'), { recursive: true });
    await mkdir(path.join(folder, 'b'), { recursive: true });
    for (let i = 0; i < 4; i++) await writeFile(path.join(folder, 'a', `${i}.png`), png(20));
    const base = (data: string, out: string, ...extra: string[]) => ['train', '--data', data, '--arch', path.join(tmp, 'tiny.json'), '--schedule', path.join(tmp, 'schedule.json'), '--out', out, '--batch-size', '2', '--backend', 'cpu', ...extra];
    expectCleanError(await effnet(...base(folder, path.join(tmp, 'f1'))), /folder[/\\]b: class folder has no \.png or \.jpg images/);
    for (let i = 0; i < 4; i++) await writeFile(path.join(folder, 'b', `${i}.png`), png(200));
    await writeFile(path.join(folder, 'b', '2.png'), png(200).subarray(0, 40));
    expectErrorLine(await effnet(...base(folder, path.join(tmp, 'f2'))), /folder[/\\]b[/\\]2\.png: could not be decoded/);
    const labels = path.join(tmp, 'labels');
    await writeCorners(labels, 'train', 12);
    await writeCorners(labels, 't10k', 6, 3, (i) => (i === 4 ? 7 : 0));
    expectCleanError(await effnet(...base(labels, path.join(tmp, 'f3'))), /t10k-labels-idx1-ubyte: labels\[4\]: label of example 4 is outside the 3 classes \(expected 0\.\.2, got 7\)/);
  });
});
