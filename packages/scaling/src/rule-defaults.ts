import { TIMM_TF_PREPROCESSING, type ActivationName, type Preprocessing } from '@effnet/core';

/** Name of the EfficientNetV2 scaling rule (google/automl efficientnetv2). */
export const EFFICIENTNETV2_RULE = 'efficientnetv2';

/** Name of the EfficientNet (V1, B0-B7) scaling rule (the EfficientNet paper's official code). */
export const EFFICIENTNET_RULE = 'efficientnet';

/** The values a scaling rule fills in where a config gives none. */
export interface RuleDefaults {
  headChannels: number;
  numClasses: number;
  dropout: number;
  dropPathRate: number;
  activation: ActivationName;
  bnEpsilon: number;
  bnMomentum: number;
  /** `round_filters` guard: 0 = none, 0.9 = add a divisor when rounding lost more than 10 %. */
  roundLimit: number;
  /** Training size when a config gives neither `trainSize` nor a base. */
  trainSize: number;
  /** Cap on the evaluation size that `resolution` scaling produces. */
  maxEvalSize: number;
  preprocessing: Preprocessing;
}

/** timm's `tf_efficientnet_b*` input convention: `x / 255`, then ImageNet mean and standard deviation. */
export const TIMM_IMAGENET_PREPROCESSING: Preprocessing = {
  scale: 1 / 255,
  offset: 0,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
  interpolation: 'bilinear',
  source: 'timm tf_efficientnet_b*: x/255, ImageNet mean/std',
};

/** Official EfficientNetV2 defaults (`hparams.base_config`). */
export const EFFICIENTNETV2_DEFAULTS = {
  headChannels: 1280,
  numClasses: 1000,
  dropout: 0.2,
  dropPathRate: 0.2,
  activation: 'silu',
  bnEpsilon: 1e-3,
  bnMomentum: 0.9,
  roundLimit: 0,
  trainSize: 224,
  maxEvalSize: 480,
  preprocessing: TIMM_TF_PREPROCESSING,
} as const satisfies RuleDefaults;

/**
 * Official EfficientNet (V1) defaults (`efficientnet_builder.py`): `round_filters` with the 0.9
 * guard, BatchNorm momentum 0.99, stochastic depth 0.2 (survival 0.8), no cap on the evaluation
 * size (B7 evaluates at 600).
 */
export const EFFICIENTNET_DEFAULTS = {
  headChannels: 1280,
  numClasses: 1000,
  dropout: 0.2,
  dropPathRate: 0.2,
  activation: 'silu',
  bnEpsilon: 1e-3,
  bnMomentum: 0.99,
  roundLimit: 0.9,
  trainSize: 224,
  maxEvalSize: Number.POSITIVE_INFINITY,
  preprocessing: TIMM_IMAGENET_PREPROCESSING,
} as const satisfies RuleDefaults;

/** The scaling rules that read the same config format (block strings, width, depth, ...), by name, with their defaults. */
export const RULE_DEFAULTS: Readonly<Record<string, RuleDefaults>> = {
  [EFFICIENTNETV2_RULE]: EFFICIENTNETV2_DEFAULTS,
  [EFFICIENTNET_RULE]: EFFICIENTNET_DEFAULTS,
};
