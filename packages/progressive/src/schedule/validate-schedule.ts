import { FieldChecker } from '@effnet/core';
import type { Schedule, Stage } from './schedule.js';

const STAGE_KEYS = ['startEpoch', 'endEpoch', 'imageSize', 'dropout', 'randAugmentMagnitude', 'mixupAlpha', 'cutmixAlpha', 'dropPathRate', 'extra'];

/**
 * Checks a schedule read from JSON (or built in code) and returns a clean copy. Errors name the
 * file and the field: `stages[2].startEpoch: stages must be contiguous and in epoch order
 * (expected 20, got 15)`. A stage may leave out `startEpoch` (it starts where the previous one
 * ended) and the regularisers (they default to 0).
 */
export function validateSchedule(value: unknown, file?: string): Schedule {
  const c = new FieldChecker(file, 'BAD_SCHEDULE');
  const o = c.object(value, 'schedule');
  c.onlyKeys(o, ['name', 'stages', 'evalSize', 'randAugmentOps'], '');
  const raw = c.array(o.stages, 'stages');
  if (raw.length === 0) c.fail('stages', 'a schedule needs at least one stage', 'a non-empty array', 'an empty array');
  const stages: Stage[] = [];
  raw.forEach((item, i) => {
    const f = `stages[${i}]`;
    const s = c.object(item, f);
    c.onlyKeys(s, STAGE_KEYS, f);
    const previousEnd = i === 0 ? 0 : stages[i - 1]!.endEpoch;
    const startEpoch = s.startEpoch === undefined ? previousEnd : c.number(s.startEpoch, `${f}.startEpoch`, { min: 0 });
    if (startEpoch !== previousEnd) {
      c.fail(`${f}.startEpoch`, i === 0 ? 'the first stage must start at epoch 0' : 'stages must be contiguous and in epoch order', previousEnd, startEpoch);
    }
    const endEpoch = c.number(s.endEpoch, `${f}.endEpoch`, { above: startEpoch });
    const stage: Stage = {
      startEpoch,
      endEpoch,
      imageSize: c.int(s.imageSize, `${f}.imageSize`, { min: 8, max: 4096 }),
      dropout: c.number(s.dropout ?? 0, `${f}.dropout`, { min: 0, max: 0.999 }),
      randAugmentMagnitude: c.number(s.randAugmentMagnitude ?? 0, `${f}.randAugmentMagnitude`, { min: 0, max: 100 }),
      mixupAlpha: c.number(s.mixupAlpha ?? 0, `${f}.mixupAlpha`, { min: 0 }),
      cutmixAlpha: c.number(s.cutmixAlpha ?? 0, `${f}.cutmixAlpha`, { min: 0 }),
    };
    if (s.dropPathRate !== undefined) stage.dropPathRate = c.number(s.dropPathRate, `${f}.dropPathRate`, { min: 0, max: 0.999 });
    if (s.extra !== undefined) {
      const extra = c.object(s.extra, `${f}.extra`);
      stage.extra = Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, c.number(v, `${f}.extra.${k}`)]));
    }
    stages.push(stage);
  });
  const schedule: Schedule = { name: o.name === undefined ? 'custom' : c.string(o.name, 'name'), stages };
  if (o.evalSize !== undefined) schedule.evalSize = c.int(o.evalSize, 'evalSize', { min: 8, max: 4096 });
  if (o.randAugmentOps !== undefined) schedule.randAugmentOps = c.int(o.randAugmentOps, 'randAugmentOps', { min: 0, max: 16 });
  return schedule;
}
