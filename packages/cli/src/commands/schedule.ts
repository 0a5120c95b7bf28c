import { buildSchedule, evalSizeOf, validateSchedule, type Schedule } from '@effnet/progressive';
import { formatTable } from '../format-table.js';
import { readJsonFile } from '../read-arch.js';

/** One stage as `effnet schedule --json` prints it. */
export interface ScheduleRow {
  stage: number;
  epochs: [number, number];
  imageSize: number;
  randAugmentMagnitude: number;
  mixupAlpha: number;
  cutmixAlpha: number;
  dropout: number;
}

/** Reads `--schedule`/`--preset`: a registered schedule name (built for `variant`) or a schedule JSON file. */
export async function readSchedule(nameOrFile: string, variant: string | undefined, epochs: number | undefined, options?: Record<string, unknown>): Promise<Schedule> {
  if (nameOrFile.toLowerCase().endsWith('.json')) {
    const json = await readJsonFile(nameOrFile, 'schedule file', 'BAD_SCHEDULE');
    return validateSchedule(json, nameOrFile);
  }
  return buildSchedule(nameOrFile, { ...(variant !== undefined ? { variant } : {}), ...(epochs !== undefined ? { epochs } : {}), ...(options ? { options } : {}) });
}

/** The stages of a schedule as rows (values rounded to 4 decimals for printing). */
export function scheduleRows(s: Schedule): ScheduleRow[] {
  const r = (v: number) => Number(v.toFixed(4));
  return s.stages.map((st, i) => ({
    stage: i + 1,
    epochs: [r(st.startEpoch), r(st.endEpoch)],
    imageSize: st.imageSize,
    randAugmentMagnitude: r(st.randAugmentMagnitude),
    mixupAlpha: r(st.mixupAlpha),
    cutmixAlpha: r(st.cutmixAlpha),
    dropout: r(st.dropout),
  }));
}

/** The schedule as a table with its evaluation size. */
export function formatSchedule(s: Schedule): string {
  const table = formatTable(scheduleRows(s), [
    { header: 'stage', value: (r) => r.stage },
    { header: 'epochs', value: (r) => `${r.epochs[0]}-${r.epochs[1]}`, right: true },
    { header: 'image size', value: (r) => r.imageSize },
    { header: 'RandAugment', value: (r) => r.randAugmentMagnitude },
    { header: 'mixup', value: (r) => r.mixupAlpha },
    { header: 'CutMix', value: (r) => r.cutmixAlpha },
    { header: 'dropout', value: (r) => r.dropout },
  ]);
  return `${s.name}\n${table}\nevaluation size: ${evalSizeOf(s)}`;
}
