import { writeFileAtomic } from '@effnet/core';
import type { EpochEvent, StepEvent, TrainEvent } from './train-events.js';

/**
 * Training events as JSON lines, one object per line, appended as they happen. On resume,
 * `open` keeps only the lines up to the checkpoint's step (a killed run may have logged steps
 * past it, which the resumed run repeats).
 */
export class MetricsLog {
  private constructor(
    private readonly file: string,
    private readonly append: (file: string, text: string) => void,
  ) {}

  /** Opens `file`, keeping lines with `step <= keepUpTo` (all lines are dropped when undefined). */
  static async open(file: string, keepUpTo?: number): Promise<MetricsLog> {
    const { readFile } = await import('node:fs/promises');
    let kept = '';
    if (keepUpTo !== undefined) {
      const text = await readFile(file, 'utf8').catch(() => '');
      kept = parseMetrics(text)
        .filter((e) => !('step' in e) || e.step <= keepUpTo)
        .filter((e) => !(e.type === 'end' || (e.type === 'start' && e.step === keepUpTo)))
        .map((e) => `${JSON.stringify(e)}\n`)
        .join('');
    }
    await writeFileAtomic(file, kept);
    const { appendFileSync } = await import('node:fs');
    return new MetricsLog(file, appendFileSync);
  }

  /** Appends one event (synchronously, so that lines keep their order). */
  write(event: TrainEvent): void {
    this.append(this.file, `${JSON.stringify(event)}\n`);
  }
}

/** Parses JSON lines, skipping a torn last line. */
export function parseMetrics(text: string): TrainEvent[] {
  const out: TrainEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as TrainEvent);
    } catch {
      // a line cut by a kill
    }
  }
  return out;
}

/** Step and epoch events of a metrics file. */
export async function readMetrics(file: string): Promise<{ steps: StepEvent[]; epochs: EpochEvent[] }> {
  const { readFile } = await import('node:fs/promises');
  const events = parseMetrics(await readFile(file, 'utf8').catch(() => ''));
  return { steps: events.filter((e): e is StepEvent => e.type === 'step'), epochs: events.filter((e): e is EpochEvent => e.type === 'epoch') };
}
