/**
 * The data that describes a network: what `effnet info` prints, what is saved with a model, and
 * all the builder needs. Channel counts and repeats here are final (already width/depth scaled).
 */
export interface ArchitectureSpec {
  /** Display name, e.g. `efficientnetv2-s` or `custom`. */
  name: string;
  /** Stem: one k x k convolution (stride 2 in EfficientNetV2), BatchNorm, activation. */
  stem: { channels: number; kernel: number; stride: number };
  /** Stages in order; each repeats one block type. */
  stages: StageSpec[];
  /** Channels of the 1x1 head convolution before pooling (`round_filters(1280)` officially). */
  headChannels: number;
  /** Classifier outputs; 0 builds a feature extractor without classifier. */
  numClasses: number;
  /** Dropout rate before the classifier (training only). */
  dropout: number;
  /**
   * Stochastic depth: the last block survives with probability `1 - dropPathRate`, block i of N
   * with `1 - dropPathRate * i / N` (official `survival_prob` 0.8, i.e. rate 0.2).
   */
  dropPathRate: number;
  /** Activation used everywhere (`silu`, also called swish). */
  activation: ActivationName;
  /** BatchNorm epsilon (1e-3 in the official code, Keras and timm's `tf_` models). */
  bnEpsilon: number;
  /** BatchNorm moving-average momentum, Keras convention: `moving = moving * m + batch * (1 - m)`. */
  bnMomentum: number;
  /** Training image size (the last stage's size under progressive learning). */
  trainSize: number;
  /** Evaluation image size. */
  evalSize: number;
  /** How raw images (0..255 RGB) become the model's input. */
  preprocessing: Preprocessing;
}

/** Activations the built-in layer ops know. */
export type ActivationName = 'silu' | 'relu' | 'relu6' | 'gelu' | 'hard_swish' | 'linear';

/** One stage: `repeats` blocks of one type; the first takes the stride and the channel change. */
export interface StageSpec {
  /** Registered block type, e.g. `mbconv` or `fused_mbconv`. */
  type: string;
  repeats: number;
  kernel: number;
  stride: number;
  /** Expansion ratio of the inner width relative to the block input. */
  expandRatio: number;
  inChannels: number;
  outChannels: number;
  /** Squeeze-excitation ratio relative to the block input channels; 0 or absent = no SE. */
  seRatio?: number;
  /** Extra options for user block types; passed through untouched. */
  options?: Record<string, unknown>;
}

/** One block instance, as the builder hands it to a block plugin. */
export interface BlockSpec {
  type: string;
  /** Stage index and index within the stage (0-based). */
  stage: number;
  index: number;
  /** Index over the whole network (0-based) and the total block count. */
  globalIndex: number;
  totalBlocks: number;
  kernel: number;
  stride: number;
  expandRatio: number;
  inChannels: number;
  outChannels: number;
  seRatio: number;
  /** Probability that the residual branch is kept in training (1 = never dropped). */
  survivalProb: number;
  options: Record<string, unknown>;
}

/**
 * Input preprocessing for images given as 0..255 RGB: `y = (x * scale + offset - mean) / std`
 * per channel, after resizing to `size` (the model's evaluation size unless set).
 */
export interface Preprocessing {
  scale: number;
  offset: number;
  mean: [number, number, number];
  std: [number, number, number];
  /** Resize images to this square size before the forward pass (default: `evalSize`). */
  size?: number;
  /** Interpolation used for the resize. */
  interpolation?: 'bilinear' | 'nearest';
  /** Where the values come from, e.g. `timm tf_ models: (x/255 - 0.5) / 0.5`. */
  source?: string;
}

/** timm's `tf_efficientnetv2_*` input convention: `(x / 255 - 0.5) / 0.5`. */
export const TIMM_TF_PREPROCESSING: Preprocessing = {
  scale: 1 / 255,
  offset: 0,
  mean: [0.5, 0.5, 0.5],
  std: [0.5, 0.5, 0.5],
  interpolation: 'bilinear',
  source: 'timm tf_efficientnetv2: (x/255 - 0.5) / 0.5',
};

/** Keras EfficientNetV2-B0..B3: `x / 255`, then ImageNet mean and standard deviation. */
export const KERAS_IMAGENET_PREPROCESSING: Preprocessing = {
  scale: 1 / 255,
  offset: 0,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
  interpolation: 'bilinear',
  source: 'keras EfficientNetV2B0-B3: x/255, ImageNet mean/std',
};

/** Keras EfficientNetV2-S/M/L: `x / 128 - 1`. */
export const KERAS_SIGNED_PREPROCESSING: Preprocessing = {
  scale: 1 / 128,
  offset: -1,
  mean: [0, 0, 0],
  std: [1, 1, 1],
  interpolation: 'bilinear',
  source: 'keras EfficientNetV2S/M/L: x/128 - 1',
};
