/**
 * @effnet/augment: batched, seeded image augmentation for effnet. RandAugment with the official
 * 16 ops (checked against PIL), mixup, CutMix and label smoothing, and a two-phase plugin API
 * (draw the random parameters, then apply them on the device) for custom augmentations.
 *
 * Images are NHWC float32 tensors `[B, H, W, C]` with values in 0..255; labels are one-hot or
 * soft rows `[B, numClasses]`.
 * @packageDocumentation
 */
export { getAugmentation, registerAugmentation, type AnyAugmentation, type AugmentationPlugin, type BatchInfo } from './plugin.js';
export { AugmentPipeline, type AugmentationStep, type AugmentedBatch, type PipelineParams } from './pipeline.js';
export { builtinAugmentations, registerAugmentations } from './register.js';

export { randAugment, applyRandAugment, applyRandAugmentWithKernels, sampleRandAugment, type ChosenOp, type RandAugmentParams } from './randaugment/randaugment.js';
export { parseRandAugmentSpec, resolveRandAugmentOptions, type RandAugmentOptions } from './randaugment/options.js';
export { HOST_OPS, type HostOp } from './randaugment/host-ops.js';
export { defaultOpNames, INCREASING_OPS, OFFICIAL_OPS, RANDAUGMENT_OPS, type OpContext, type RandAugmentOp } from './randaugment/op-table.js';

export { mixup, applyMix, applyMixWithKernels, applyMixToLabels, resolveMixOptions, sampleMix, type MixMode, type MixOptions, type MixParams } from './mix/mixup-cutmix.js';
export { labelSmoothing, smoothLabels } from './mix/label-smoothing.js';

export { beta, logGamma, normal, uniformInt } from './distributions.js';
export * as imageOps from './ops/index.js';
