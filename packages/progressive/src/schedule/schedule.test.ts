import { describe, expect, it } from 'vitest';
import { buildSchedule, registerSchedule } from './schedule-plugin.js';
import { stageIndexAt, totalEpochs } from './schedule.js';
import { validateSchedule } from './validate-schedule.js';

// Per-stage values from ../shared/reference/effnetv2-facts.md §1.2 (paper, Table 6, linear) and
// §2.7 (official code).
const PAPER = {
  s: { size: [128, 185, 242, 300], ra: [5, 8.333, 11.667, 15], mixup: [0, 0, 0, 0], dropout: [0.1, 0.1667, 0.2333, 0.3] },
  m: { size: [128, 212, 296, 380], ra: [5, 10, 15, 20], mixup: [0, 0.0667, 0.1333, 0.2], dropout: [0.1, 0.2, 0.3, 0.4] },
  l: { size: [128, 212, 296, 380], ra: [5, 11.667, 18.333, 25], mixup: [0, 0.1333, 0.2667, 0.4], dropout: [0.1, 0.2333, 0.3667, 0.5] },
};
const OFFICIAL = {
  s: { size: [171, 214, 257, 300], ra: [5, 6.667, 8.333, 10], alpha: [0, 0, 0, 0], dropout: 0.2 },
  m: { size: [192, 256, 320, 384], ra: [5, 8.333, 11.667, 15], alpha: [0, 0.0667, 0.1333, 0.2], dropout: 0.3 },
  l: { size: [192, 256, 320, 384], ra: [5, 10, 15, 20], alpha: [0, 0.1667, 0.3333, 0.5], dropout: 0.4 },
};

const close = (a: number[], b: number[]) => a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 3));

describe('schedule presets', () => {
  it.each(['s', 'm', 'l'] as const)("paper efficientnetv2-%s equals Table 6, 4 stages of 87.5 epochs", (v) => {
    const s = buildSchedule('paper', { variant: `efficientnetv2-${v}` });
    expect(s.stages.map((st) => st.imageSize)).toEqual(PAPER[v].size);
    close(s.stages.map((st) => st.randAugmentMagnitude), PAPER[v].ra);
    close(s.stages.map((st) => st.mixupAlpha), PAPER[v].mixup);
    close(s.stages.map((st) => st.dropout), PAPER[v].dropout);
    expect(s.stages.map((st) => st.cutmixAlpha)).toEqual([0, 0, 0, 0]);
    expect(s.stages.map((st) => [st.startEpoch, st.endEpoch])).toEqual([[0, 87.5], [87.5, 175], [175, 262.5], [262.5, 350]]);
  });

  it.each(['s', 'm', 'l'] as const)('official efficientnetv2-%s equals the official code', (v) => {
    const s = buildSchedule('official', { variant: `efficientnetv2-${v}`, epochs: 100 });
    expect(s.stages.map((st) => st.imageSize)).toEqual(OFFICIAL[v].size);
    close(s.stages.map((st) => st.randAugmentMagnitude), OFFICIAL[v].ra);
    close(s.stages.map((st) => st.mixupAlpha), OFFICIAL[v].alpha);
    close(s.stages.map((st) => st.cutmixAlpha), OFFICIAL[v].alpha);
    expect(new Set(s.stages.map((st) => st.dropout))).toEqual(new Set([OFFICIAL[v].dropout]));
    expect(totalEpochs(s)).toBe(100);
  });

  it('refuses epochs that are not positive or would overflow the stage boundaries', () => {
    expect(() => buildSchedule('paper', { variant: 'efficientnetv2-s', epochs: 1e308 })).toThrow(/^schedule "paper": epochs: is too large \(expected <= 1000000, got 1e\+308\)$/);
    expect(() => buildSchedule('fixed', { epochs: 0 })).toThrow(/schedule "fixed": epochs: is too small/);
    expect(buildSchedule('paper', { variant: 'efficientnetv2-s', epochs: 1e6 }).stages.at(-1)!.endEpoch).toBe(1e6);
  });

  it('presets refuse variants they have no settings for', () => {
    expect(() => buildSchedule('paper', { variant: 'efficientnetv2-b0' })).toThrow(/variant: the paper schedule has settings for efficientnetv2-s, efficientnetv2-m, efficientnetv2-l only/);
    expect(() => buildSchedule('nope')).toThrow(/unknown schedule "nope".*Known schedules: paper, official/);
  });

  it('random resize draws a size every 8 epochs within bounds, with fixed regularisation, reproducibly', () => {
    const opts = { epochs: 40, options: { minSize: 128, maxSize: 300, seed: 5, settings: { imageSize: 300, dropout: 0.3, randAugmentMagnitude: 15 } } };
    const s = buildSchedule('random-resize', opts);
    expect(s.stages).toHaveLength(5);
    expect(s.stages.map((st) => st.startEpoch)).toEqual([0, 8, 16, 24, 32]);
    for (const st of s.stages) {
      expect(st.imageSize).toBeGreaterThanOrEqual(128);
      expect(st.imageSize).toBeLessThanOrEqual(300);
      expect([st.dropout, st.randAugmentMagnitude]).toEqual([0.3, 15]);
    }
    expect(new Set(s.stages.map((st) => st.imageSize)).size).toBeGreaterThan(1);
    expect(buildSchedule('random-resize', opts)).toEqual(s);
    expect(s.evalSize).toBe(300);
  });

  it('linear builds any number of stages with user knobs and an evaluation size', () => {
    const s = buildSchedule('linear', {
      epochs: 10,
      options: { stages: 5, from: { imageSize: 16, dropout: 0, extra: { blur: 2 } }, to: { imageSize: 32, dropout: 0.4, extra: { blur: 0 } }, evalSize: 40 },
    });
    expect(s.stages.map((st) => st.imageSize)).toEqual([16, 20, 24, 28, 32]);
    close(s.stages.map((st) => st.dropout), [0, 0.1, 0.2, 0.3, 0.4]);
    expect(s.stages.map((st) => st.extra!.blur)).toEqual([2, 1.5, 1, 0.5, 0]);
    expect(s.evalSize).toBe(40);
    expect(stageIndexAt(s, 0)).toBe(0);
    expect(stageIndexAt(s, 3.99)).toBe(1);
    expect(stageIndexAt(s, 4)).toBe(2);
    expect(stageIndexAt(s, 99)).toBe(4);
  });

  it('custom schedule plugins register and build', () => {
    registerSchedule({ name: 'test-two-step', build: (r) => ({ name: 'two', stages: [{ startEpoch: 0, endEpoch: 1, imageSize: 16, dropout: 0, randAugmentMagnitude: 0, mixupAlpha: 0, cutmixAlpha: 0 }, { startEpoch: 1, endEpoch: r.epochs ?? 2, imageSize: 24, dropout: 0.1, randAugmentMagnitude: 3, mixupAlpha: 0, cutmixAlpha: 0 }] }) });
    expect(buildSchedule('test-two-step', { epochs: 3 }).stages.map((s) => s.imageSize)).toEqual([16, 24]);
  });
});

describe('schedule validation', () => {
  it('stages out of order name the field', () => {
    const stages = [{ endEpoch: 10, imageSize: 16 }, { startEpoch: 5, endEpoch: 20, imageSize: 24 }];
    expect(() => validateSchedule({ stages }, 'my.json')).toThrow('my.json: stages[1].startEpoch: stages must be contiguous and in epoch order (expected 10, got 5)');
    expect(() => validateSchedule({ stages: [{ endEpoch: 10, imageSize: 16 }, { endEpoch: 8, imageSize: 24 }] }, 'my.json')).toThrow(/my\.json: stages\[1\]\.endEpoch: is too small \(expected > 10, got 8\)/);
    expect(() => validateSchedule({ stages: [{ startEpoch: 1, endEpoch: 10, imageSize: 16 }] })).toThrow(/stages\[0\]\.startEpoch: the first stage must start at epoch 0/);
  });

  it('bad values and unknown keys name the field', () => {
    expect(() => validateSchedule({ stages: [] }, 's.json')).toThrow(/s\.json: stages: a schedule needs at least one stage/);
    expect(() => validateSchedule({ stages: [{ endEpoch: 1, imageSize: 4 }] })).toThrow(/stages\[0\]\.imageSize: is too small/);
    expect(() => validateSchedule({ stages: [{ endEpoch: 1, imageSize: 16, dropout: 1.5 }] })).toThrow(/stages\[0\]\.dropout: is too large/);
    expect(() => validateSchedule({ stages: [{ endEpoch: 1, imageSize: 16, mixup: 0.2 }] })).toThrow(/stages\[0\]\.mixup/);
    expect(() => validateSchedule({ stages: [{ endEpoch: 1, imageSize: 16, extra: { k: 'x' } }] })).toThrow(/stages\[0\]\.extra\.k: must be a number/);
  });
});
