import { validateSchedule } from '../../schedule/validate-schedule.js';
import type { EpochEvent, StepEvent } from '../../train/train-events.js';
import type { ReportInput } from '../training-report.js';

/** A made-up two-stage run with 3 classes, for report tests: 40 steps, 4 epochs, validation and test figures. */
export function sampleRun(): ReportInput {
  const schedule = validateSchedule({ name: 'two stages', stages: [{ endEpoch: 2, imageSize: 16, randAugmentMagnitude: 2 }, { endEpoch: 4, imageSize: 24, dropout: 0.2, randAugmentMagnitude: 5, mixupAlpha: 0.2 }] });
  const steps: StepEvent[] = Array.from({ length: 40 }, (_, k) => {
    const i = k + 1;
    const first = i <= 20;
    return {
      type: 'step', step: i, epoch: i / 10, stage: first ? 0 : 1, imageSize: first ? 16 : 24, magnitude: first ? 2 : 5, mixupAlpha: first ? 0 : 0.2, cutmixAlpha: 0, dropout: first ? 0 : 0.2,
      learningRate: 0.01 * Math.cos((Math.PI * i) / 80), loss: 2 / (1 + 0.1 * i), accuracy: Math.min(0.95, i / 40), imagesPerSecond: first ? 900 : 400, elapsed: i * (first ? 0.25 : 0.6), eta: 0,
    };
  });
  const epochs: EpochEvent[] = [1, 2, 3, 4].map((e) => ({
    type: 'epoch', epoch: e, step: 10 * e, trainLoss: 1.5 / e, trainAccuracy: 0.5 + 0.1 * e, validationLoss: 1.6 / e, validationAccuracy: 0.45 + 0.1 * e, evalLoss: 1.7 / e, evalAccuracy: 0.44 + 0.1 * e, evalSize: 24, elapsed: steps[10 * e - 1]!.elapsed, evaluationSeconds: 0.1 * e,
  }));
  const rgb = (v: number) => new Uint8Array(8 * 8 * 3).fill(v);
  return {
    title: 'sample run',
    schedule,
    steps,
    epochs,
    summary: [['test accuracy', '84.00 %'], ['model', 'tiny']],
    evaluation: {
      classNames: ['cat', 'dog', 'bird'],
      labels: Int32Array.from([0, 0, 1, 1, 2, 2]),
      predicted: Int32Array.from([0, 1, 1, 1, 2, 0]),
      samples: [
        { index: 0, label: 0, predicted: 0, confidence: 0.9, size: 8, rgb: rgb(200) },
        { index: 1, label: 0, predicted: 1, confidence: 0.6, size: 8, rgb: rgb(40) },
      ],
    },
  };
}
