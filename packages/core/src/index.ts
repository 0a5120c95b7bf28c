/**
 * @effnet/core: the plugin registry, architecture specs, the model builder and weights I/O of
 * effnet, EfficientNetV2 for TensorFlow.js.
 * @packageDocumentation
 */
export { EffnetError, isEffnetError, type EffnetErrorDetails } from './errors.js';
export { SeededRandom } from './random.js';

export { PluginRegistry, type NamedPlugin } from './registry/plugin-registry.js';
export {
  getRegistry,
  listVariants,
  registerBlock,
  registerScalingRule,
  registerVariant,
  type PluginKind,
  type PluginKinds,
} from './registry/global-registry.js';
export { wildcardToRegExp } from './registry/wildcard.js';

export type { BlockPlugin } from './plugins/block-plugin.js';
export type { ResolveOptions, ScalingRule, VariantPlugin, VariantReference } from './plugins/scaling-plugins.js';

export {
  KERAS_IMAGENET_PREPROCESSING,
  KERAS_SIGNED_PREPROCESSING,
  TIMM_TF_PREPROCESSING,
  type ActivationName,
  type ArchitectureSpec,
  type BlockSpec,
  type Preprocessing,
  type StageSpec,
} from './spec/architecture.js';
export { FieldChecker, describe as describeValue, type NumberRule } from './spec/field-checker.js';
export { ARCHITECTURE_LIMITS, validateArchitectureSpec, validatePreprocessing, validateStage } from './spec/validate-spec.js';

export type { ConvOptions, DepthwiseOptions, HeadOps, LayerOps, WeightDecl, WeightKind } from './model/layer-ops.js';
export { MeterOps, sameOutputSize, type MacRecord, type MeterLog, type ShapeOnly } from './model/meter-ops.js';
export { moveStatistics, TensorOps, type TensorOpsContext } from './model/tensor-ops.js';
export { applyActivation } from './model/activations.js';
export { blockScope, planNetwork, runNetwork, type NetworkOutput, type NetworkPlan } from './model/network-plan.js';
export { declareWeights, describeArchitecture, type ArchitectureSummary, type PartSummary, type StageSummary } from './model/describe.js';
export { EffNetModel, type ApplyOptions, type ModelOptions, type ParamCount, type TrainingPassOptions } from './model/effnet-model.js';
export {
  graphCompilerFor,
  isGraphUnsupported,
  registerGraphCompiler,
  resolveEngine,
  explainEagerFallback,
  unregisterGraphCompiler,
  type CompiledInference,
  type ComputeEngine,
  type GraphCompiler,
  type ResidentOptimizer,
  type ResidentState,
  type ResidentStepResult,
  type ResidentStepSettings,
  type ResidentTraining,
  type ResidentTrainingConfig,
  type TrainingPass,
  type TrainingPassSettings,
} from './model/graph-compiler.js';
export { createModel, DEFAULT_SCALING_RULE, resolveArchitecture, type CreateModelOptions, type ModelSource } from './model/create-model.js';
export { initialValue } from './model/initializers.js';
export { preprocessImages } from './model/preprocess.js';
export { convBatchNormPairs, InferenceModel } from './model/fold-batchnorm.js';
export { batchNormActivationTraining, FUSABLE_ACTIVATIONS } from './model/fused-batchnorm-activation.js';
export { streamingVariableGrads, type StreamingGradients } from './model/streaming-gradients.js';

export { encodeNpy, parseNpy, type NpyArray } from './io/npy.js';
export { encodeSafetensors, parseSafetensors, type SafeTensor } from './io/safetensors.js';
export {
  invertPermutation,
  kerasBlockPrefix,
  kerasLayerMap,
  timmWeightMap,
  type ExternalWeight,
  type KerasLayer,
  type KerasVariable,
} from './io/external-names.js';
export { readHdf5, Hdf5Attribute, Hdf5Dataset, Hdf5Group, type Hdf5File, type Hdf5Type } from './io/hdf5/hdf5-file.js';
export { writeHdf5, type Hdf5AttributeInput, type Hdf5DatasetInput, type Hdf5GroupInput } from './io/hdf5/hdf5-writer.js';
export { kerasVariableRole, readKerasWeights, type KerasFileWeight, type KerasWeightsFile } from './io/keras-weights.js';
export { encodeKerasH5, exportKerasH5, kerasStringAttributes, kerasWeightsGroup, loadKerasWeights, type KerasH5Layer, type KerasLoadOptions } from './io/keras-checkpoint.js';
export { permuteAxes } from './io/permute.js';
export { exportTimmSafetensors, importTimmSafetensors, loadTimmWeights, TIMM_IGNORED_BUFFERS, timmNumClasses } from './io/timm-checkpoint.js';
export { FolderHandler, SHARD_BYTES, folderFromUrl } from './io/file-handler.js';
export { faultPoint, fileSystemReason, makeFolder, processAlive, recoverDir, writeDirAtomic, writeError, writeFileAtomic } from './io/node-fs.js';
export { LOCK_FILE, lockFolder, type LockHolder, type ReleaseLock } from './io/folder-lock.js';
export { readInputFile, type InputFileOptions } from './io/input-file.js';
export { checkOutputPath } from './io/output-path.js';
export { badWeightValue, checkWeightValues } from './io/weight-values.js';
export {
  loadModel,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  modelFromArtifacts,
  modelToArtifacts,
  saveModel,
  type ModelLocation,
  type SavedTopology,
  type SaveOptions,
} from './io/model-format.js';
