import { EffnetError, FieldChecker, getRegistry, type NamedPlugin } from '@effnet/core';
import { linearStages } from './linear-stages.js';
import { fixedPresetSettings, fixedSchedule, IMAGENET_EPOCHS, officialSchedule, PAPER_TABLE_6, paperSchedule, presetVariant, randomResizeSchedule } from './presets.js';
import type { Schedule, StageSettings } from './schedule.js';
import { validateSchedule } from './validate-schedule.js';

/** What a schedule plugin is asked for. */
export interface ScheduleRequest {
  /** The variant a preset is for, e.g. `efficientnetv2-s`. */
  variant?: string;
  /** Total epochs (presets default to the ImageNet recipe's 350). */
  epochs?: number;
  /** Plugin-specific options (plain JSON). */
  options?: Record<string, unknown>;
}

/** A schedule plugin: a named recipe that builds a {@link Schedule}. Register with {@link registerSchedule}. */
export interface SchedulePlugin extends NamedPlugin {
  build(request: ScheduleRequest): Schedule;
}

declare module '@effnet/core' {
  interface PluginKinds {
    schedule: SchedulePlugin;
  }
}

const check = new FieldChecker(undefined, 'BAD_SCHEDULE');

function settings(value: unknown, field: string, base?: StageSettings): StageSettings {
  const o = check.object(value ?? {}, field);
  check.onlyKeys(o, ['imageSize', 'dropout', 'randAugmentMagnitude', 'mixupAlpha', 'cutmixAlpha', 'dropPathRate', 'extra'], field);
  const stage = validateSchedule({ stages: [{ endEpoch: 1, ...base, ...o }] }).stages[0]!;
  const { startEpoch: _s, endEpoch: _e, ...rest } = stage;
  return rest;
}

function epochsOf(request: ScheduleRequest): number {
  return request.epochs === undefined ? IMAGENET_EPOCHS : check.number(request.epochs, 'epochs', { above: 0 });
}

/** Built-in schedules: `paper`, `official`, `linear`, `random-resize`, `fixed`. */
export const builtinSchedules: readonly SchedulePlugin[] = [
  {
    name: 'paper',
    description: "the paper's Table 6 for S, M, L: 4 stages, size / RandAugment / mixup / dropout linear from min to max",
    build: (r) => paperSchedule(r.variant ?? 'efficientnetv2-s', epochsOf(r)),
  },
  {
    name: 'official',
    description: 'the official code: sizes int(128 + (size-128)(i+1)/4), magnitude 5 to ram, mixup = CutMix alpha, fixed dropout',
    build: (r) => officialSchedule(r.variant ?? 'efficientnetv2-s', epochsOf(r)),
  },
  {
    name: 'linear',
    description: 'custom: options { stages, from, to, evalSize } with every knob linear from the first to the last stage',
    build: (r) => {
      const o = check.object(r.options ?? {}, 'options');
      check.onlyKeys(o, ['stages', 'from', 'to', 'evalSize', 'randAugmentOps'], 'options');
      const from = settings(o.from, 'options.from');
      const to = settings(o.to, 'options.to', from);
      const stages = check.int(o.stages ?? 4, 'options.stages', { min: 1 });
      return validateSchedule({
        name: `linear ${stages} stages`,
        stages: linearStages({ epochs: epochsOf(r), stages, from, to }),
        ...(o.evalSize !== undefined ? { evalSize: o.evalSize } : {}),
        ...(o.randAugmentOps !== undefined ? { randAugmentOps: o.randAugmentOps } : {}),
      });
    },
  },
  {
    name: 'random-resize',
    description: "the paper's Table 13 baseline: a random size every 8 epochs, regularisation fixed",
    build: (r) => {
      const o = check.object(r.options ?? {}, 'options');
      check.onlyKeys(o, ['minSize', 'maxSize', 'every', 'settings', 'seed', 'multipleOf', 'evalSize'], 'options');
      const table = r.variant ? PAPER_TABLE_6[presetVariant(r.variant, ['s', 'm', 'l'], 'random-resize') as 's' | 'm' | 'l'] : undefined;
      const fixed = settings(o.settings ?? table?.max ?? { imageSize: 8 }, 'options.settings');
      const minSize = check.int(o.minSize ?? table?.min.imageSize, 'options.minSize', { min: 8 });
      const maxSize = check.int(o.maxSize ?? table?.max.imageSize, 'options.maxSize', { min: minSize });
      const schedule = randomResizeSchedule({
        epochs: epochsOf(r),
        minSize,
        maxSize,
        every: check.number(o.every ?? 8, 'options.every', { above: 0 }),
        settings: fixed,
        multipleOf: check.int(o.multipleOf ?? 1, 'options.multipleOf', { min: 1 }),
        seed: check.int(o.seed ?? 0, 'options.seed', { min: 0 }),
      });
      if (o.evalSize !== undefined) schedule.evalSize = check.int(o.evalSize, 'options.evalSize', { min: 8 });
      else if (table) schedule.evalSize = table.evalSize;
      return schedule;
    },
  },
  {
    name: 'fixed',
    description: 'one stage at a fixed size (the non-progressive baseline); options { settings, evalSize }',
    build: (r) => {
      const o = check.object(r.options ?? {}, 'options');
      check.onlyKeys(o, ['settings', 'evalSize'], 'options');
      const table = r.variant ? fixedPresetSettings(r.variant) : undefined;
      if (!o.settings && !table) throw new EffnetError('BAD_SCHEDULE', 'the fixed schedule needs options.settings or a variant', { field: 'options.settings' });
      const evalSize = o.evalSize === undefined ? table?.evalSize : check.int(o.evalSize, 'options.evalSize', { min: 8 });
      return fixedSchedule(epochsOf(r), settings(o.settings ?? table!.max, 'options.settings'), evalSize);
    },
  },
];

/** Registers the built-in schedules (idempotent). */
export function registerSchedules(): void {
  const registry = getRegistry('schedule');
  for (const plugin of builtinSchedules) registry.ensure(plugin);
}

/** Registers a schedule plugin; throws if the name is taken. */
export function registerSchedule(plugin: SchedulePlugin): SchedulePlugin {
  return getRegistry('schedule').register(plugin);
}

/** Most epochs a schedule may ask for (far beyond any recipe; larger numbers overflow stage boundaries). */
export const MAX_SCHEDULE_EPOCHS = 1e6;

/**
 * Builds the schedule called `name` (a registered plugin) and checks it: `buildSchedule('paper',
 * { variant: 'efficientnetv2-s', epochs: 350 })`. `epochs` must be in (0, {@link MAX_SCHEDULE_EPOCHS}].
 */
export function buildSchedule(name: string, request: ScheduleRequest = {}): Schedule {
  registerSchedules();
  if (request.epochs !== undefined) new FieldChecker(`schedule "${name}"`, 'BAD_SCHEDULE').number(request.epochs, 'epochs', { above: 0, max: MAX_SCHEDULE_EPOCHS });
  const schedule = getRegistry('schedule').get(name).build(request);
  return validateSchedule(schedule, `schedule "${name}"`);
}
