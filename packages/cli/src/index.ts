/**
 * @effnet/cli: the `effnet` command. Each command is a thin layer over the public APIs of the
 * effnet packages; the functions below are what the commands call.
 * @packageDocumentation
 */
export { buildProgram, runCli, type CliIO } from './program.js';
export { registerBuiltins } from './setup.js';
export { startBackendInfo, useBackend } from './backend.js';
export { formatBackends, listBackends, type BackendRow } from './commands/backends.js';
export { listModelRows, formatModelRows, type VariantRow } from './commands/models.js';
export { infoReport, formatInfo, type InfoReport } from './commands/info.js';
export { convertCheckpoint, CONVERT_FORMATS, type ConvertOptions, type ConvertResult } from './commands/convert.js';
export { exportModel, EXPORT_FORMATS, type ExportFormat, type ExportResult } from './commands/export.js';
export { predictFiles, formatPredictions, readModelInput, type PredictOptions, type PredictResult, type Prediction, type RankedClass } from './commands/predict.js';
export { packCommand, type PackCommandOptions } from './commands/pack.js';
export { pullCommand, type PullCommandOptions } from './commands/pull.js';
export { runTour, formatTour, type TourRow } from './commands/tour.js';
export { decodeImage } from './images.js';
export { parseResolution, readArchArgument, type ArchArgument } from './read-arch.js';
export { FASHION_MNIST_ARCH, FASHION_MNIST_DROPOUT, fashionMnistSchedule, type FashionMnistScheduleOptions } from './commands/fashion-mnist.js';
export { FASHION_MNIST_ARMS, FASHION_MNIST_RECIPE, type FashionMnistArm } from './commands/fashion-mnist-recipe.js';
