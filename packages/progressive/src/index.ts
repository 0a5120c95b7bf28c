/**
 * @effnet/progressive: progressive learning for effnet (EfficientNetV2 for TensorFlow.js).
 * Stage schedules as plugins (the paper's Table 6, the official code, custom, random resize,
 * fixed), a trainer (RMSProp / SGD / AdamW, warm-up and decay, label smoothing, weight decay, EMA,
 * stochastic depth, gradient accumulation, NaN guard, exact resume from checkpoints), data
 * loaders (IDX, image folders, tensors) with a prefetching batch pipeline, and training reports.
 * @packageDocumentation
 */
export { evalSizeOf, stageIndexAt, STAGE_KNOBS, totalEpochs, type Schedule, type Stage, type StageSettings } from './schedule/schedule.js';
export { validateSchedule } from './schedule/validate-schedule.js';
export { linearStages, type LinearStagesOptions } from './schedule/linear-stages.js';
export {
  fixedPresetSettings,
  fixedSchedule,
  IMAGENET_EPOCHS,
  OFFICIAL_SETTINGS,
  officialSchedule,
  PAPER_TABLE_6,
  paperSchedule,
  randomResizeSchedule,
  type PresetVariant,
  type RandomResizeOptions,
} from './schedule/presets.js';
export { buildSchedule, builtinSchedules, registerSchedule, registerSchedules, type SchedulePlugin, type ScheduleRequest } from './schedule/schedule-plugin.js';

export { Trainer, type TrainResult } from './train/trainer.js';
export { resolveTrainerSettings, type DataParallelOptions, type ResolvedTrainerSettings, type SmallImages, type TrainerOptions } from './train/trainer-options.js';
export { GradientWorkers, gradientWorkerEntry } from './train/parallel/gradient-workers.js';
export type { GradientWorkerInit, ShareRequest, WorkerMessage } from './train/parallel/worker-protocol.js';
export { combineStatistics, shareGradient, type ShareGradient, type ShareSettings } from './train/parallel/share-gradient.js';
export type { CheckpointEvent, EndEvent, EpochEvent, StageEvent, StartEvent, StepEvent, TrainEvent } from './train/train-events.js';
export { createOptimizer, resolveOptimizerConfig, type FlatOptimizer, type OptimizerConfig, type OptimizerType } from './train/optimizers.js';
export { learningRateAt, OFFICIAL_LEARNING_RATE, resolveLearningRate, type LearningRateConfig } from './train/learning-rate.js';
export { ParameterAverage } from './train/ema.js';
export { FlatParameters } from './train/flat-parameters.js';
export { evaluateModel, type Evaluation } from './train/evaluate.js';
export { CHECKPOINT_FORMAT, isCheckpoint, readCheckpointState, type CheckpointState } from './train/checkpoint.js';
export { MetricsLog, parseMetrics, readMetrics } from './train/metrics-log.js';
export { trainToFolder, type TrainToFolderOptions, type TrainToFolderResult } from './train/train-to-folder.js';

export type { ImageDataset } from './data/dataset.js';
export { holdOut, sliceDataset } from './data/hold-out.js';
export { randomCrop, resolveCropOptions, type CropBox, type RandomCropOptions, type ResolvedCropOptions } from './data/random-crop.js';
export { loadIdxDataset, parseIdx, PixelDataset, type IdxArray, type IdxDatasetOptions } from './data/idx-dataset.js';
export { DEBIAN_FASHION_MNIST_DIR, FASHION_MNIST_CLASSES, loadFashionMnist, type FashionMnist } from './data/fashion-mnist.js';
export { ImageFolderDataset } from './data/image-folder.js';
export { TensorDataset } from './data/tensor-dataset.js';
export { decodeRgb, loadSharp, type RgbImage } from './data/decode-image.js';
export { BatchPipeline, mixSeed, type Batch, type BatchPipelineOptions } from './data/batch-pipeline.js';

export { ProgressBar, formatDuration } from './report/progress.js';
export { writeTrainingReport, reportCharts, escapeHtml, downsample, type ReportInput, type ReportEvaluation } from './report/training-report.js';
export { accuracyVsTimeChart, confusionChart, confusionCounts, metricChart, metricRows, scheduleChart, throughputChart, thin, type ConfusionInput, type CurveRun } from './report/report-charts.js';
export { renderSvg } from './report/render-chart.js';
export { collectSamples, encodeSampleImage, type ReportSample } from './report/sample-images.js';
export { encodeEvent, maskedCrc32c, tfRecord, writeEventFile, type SummaryImage, type SummaryValue, type TensorBoardEvent } from './report/tensorboard-events.js';
export { writeRunEvents } from './report/run-events.js';
