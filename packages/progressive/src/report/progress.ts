import type { TrainEvent } from '../train/train-events.js';

/** `3m07s`, `1h02m`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/**
 * A progress bar for training events on a text stream (stderr): stage, image size, RandAugment
 * magnitude, loss, accuracy, images/s and ETA, redrawn in place on a terminal and printed as a
 * line every `every` seconds otherwise; epochs and stage changes get their own lines.
 */
export class ProgressBar {
  private last = 0;
  private totalSteps = 1;
  private stages = 1;
  private loss: number | undefined;
  private accuracy: number | undefined;

  constructor(
    private readonly write: (text: string) => void,
    private readonly tty = false,
    private readonly every = 10,
  ) {}

  /** Handles one event. */
  handle(e: TrainEvent): void {
    if (e.type === 'start') {
      this.totalSteps = e.totalSteps;
      this.line(`training ${e.schedule}: ${e.epochs} epochs, ${e.totalSteps} steps (${e.stepsPerEpoch} per epoch), ${e.parameters.toLocaleString('en-US')} parameters${e.step ? `, resuming at step ${e.step}` : ''}`);
    } else if (e.type === 'stage') {
      this.stages = e.stages;
      const s = e.stage;
      this.line(`stage ${e.index + 1}/${e.stages}: epochs ${+s.startEpoch.toFixed(2)}-${+s.endEpoch.toFixed(2)}, ${s.imageSize}px, RandAugment ${+s.randAugmentMagnitude.toFixed(2)}, mixup ${+s.mixupAlpha.toFixed(3)}, CutMix ${+s.cutmixAlpha.toFixed(3)}, dropout ${+s.dropout.toFixed(3)}`);
    } else if (e.type === 'step') {
      this.loss = this.loss === undefined ? e.loss : 0.9 * this.loss + 0.1 * e.loss;
      this.accuracy = this.accuracy === undefined ? e.accuracy : 0.9 * this.accuracy + 0.1 * e.accuracy;
      const now = performance.now() / 1000;
      if (!this.tty && now - this.last < this.every && e.step !== this.totalSteps) return;
      this.last = now;
      const frac = e.step / this.totalSteps;
      const bar = '#'.repeat(Math.round(frac * 20)).padEnd(20, '.');
      const text = `[${bar}] ${(100 * frac).toFixed(1)}% stage ${e.stage + 1}/${this.stages} ${e.imageSize}px RA ${+e.magnitude.toFixed(1)} | epoch ${e.epoch.toFixed(2)} loss ${this.loss.toFixed(4)} acc ${(100 * this.accuracy).toFixed(1)}% | ${e.imagesPerSecond.toFixed(0)} img/s ETA ${formatDuration(e.eta)}`;
      if (this.tty) this.write(`\r${text}\x1b[K`);
      else this.write(`${text}\n`);
    } else if (e.type === 'epoch') {
      const val = e.validationAccuracy === undefined ? '' : `, validation accuracy ${(100 * e.validationAccuracy).toFixed(2)}%`;
      const ev = e.evalAccuracy === undefined ? '' : `${val}, eval loss ${e.evalLoss!.toFixed(4)} accuracy ${(100 * e.evalAccuracy).toFixed(2)}% at ${e.evalSize}px`;
      this.line(`epoch ${+e.epoch.toFixed(2)}: train loss ${e.trainLoss.toFixed(4)} accuracy ${(100 * e.trainAccuracy).toFixed(2)}%${ev} (${formatDuration(e.elapsed)})`);
    } else if (e.type === 'end') {
      this.line(`${e.finished ? 'finished' : 'stopped'} at step ${e.step} after ${formatDuration(e.elapsed)}${e.bestEpoch === undefined ? '' : `; keeping the weights of epoch ${+e.bestEpoch.toFixed(2)} (best on validation)`}`);
    }
  }

  private line(text: string): void {
    this.write(this.tty ? `\r\x1b[K${text}\n` : `${text}\n`);
  }
}
