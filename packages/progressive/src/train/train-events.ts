import type { Stage } from '../schedule/schedule.js';

/** The run starts (or resumes at `step`). */
export interface StartEvent {
  type: 'start';
  step: number;
  totalSteps: number;
  stepsPerEpoch: number;
  epochs: number;
  schedule: string;
  parameters: number;
}

/** A stage starts. */
export interface StageEvent {
  type: 'stage';
  step: number;
  index: number;
  stages: number;
  stage: Stage;
}

/** One optimizer step finished. */
export interface StepEvent {
  type: 'step';
  step: number;
  /** Fractional epoch at the end of this step. */
  epoch: number;
  stage: number;
  imageSize: number;
  magnitude: number;
  mixupAlpha: number;
  cutmixAlpha: number;
  dropout: number;
  learningRate: number;
  loss: number;
  accuracy: number;
  imagesPerSecond: number;
  /** Wall seconds of training so far (across resumes). */
  elapsed: number;
  /** Estimated seconds to the end of the run. */
  eta: number;
}

/** An epoch finished: training averages and, when evaluated, evaluation loss and accuracy. */
export interface EpochEvent {
  type: 'epoch';
  epoch: number;
  step: number;
  trainLoss: number;
  trainAccuracy: number;
  evalLoss?: number;
  evalAccuracy?: number;
  evalSize?: number;
  /** Loss and accuracy on the held-out validation data, when given. */
  validationLoss?: number;
  validationAccuracy?: number;
  /** Wall seconds so far (across resumes), evaluations included. */
  elapsed: number;
  /** Of `elapsed`, the seconds spent evaluating (training time = elapsed − evaluationSeconds). */
  evaluationSeconds?: number;
}

/** A checkpoint was written. */
export interface CheckpointEvent {
  type: 'checkpoint';
  step: number;
  dir: string;
}

/** The run ended (at the end of the schedule or at `maxSteps`). */
export interface EndEvent {
  type: 'end';
  step: number;
  finished: boolean;
  elapsed: number;
  evalLoss?: number;
  evalAccuracy?: number;
  /** The epoch whose weights were kept (best validation accuracy), when keeping the best. */
  bestEpoch?: number;
}

/** What a trainer reports, in order: start, stage, step..., epoch, checkpoint, ..., end. */
export type TrainEvent = StartEvent | StageEvent | StepEvent | EpochEvent | CheckpointEvent | EndEvent;
