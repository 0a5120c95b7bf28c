/**
 * @effnet/scaling: the EfficientNetV2 variants (B0-B3, S, M, L, XL) and EfficientNet (V1) B0-B7,
 * the official block-string encoding, width/depth/resolution scaling and custom variants from
 * JSON.
 * @packageDocumentation
 */
export { BASE_BLOCKS } from './base-blocks.js';
export { decodeBlockString, encodeBlockString, type BlockArgs } from './block-string.js';
export { MAX_EVAL_SIZE, roundFilters, roundRepeats, scaleResolution, type RoundFiltersOptions } from './rounding.js';
export { CONFIG_KEYS, readConfig, type EfficientNetV2Config, type StageObject } from './variant-config.js';
export { EFFICIENTNETV2_RULE, efficientNetV2Variants } from './variants.js';
export { EFFICIENTNETV2_DEFAULTS, efficientNetV2Rule, resolveEfficientNetV2 } from './efficientnetv2-rule.js';
export { EFFICIENTNET_B0_BLOCKS, efficientNetVariants } from './efficientnet-variants.js';
export { efficientNetRule, resolveEfficientNet } from './efficientnet-rule.js';
export { EFFICIENTNET_DEFAULTS, EFFICIENTNET_RULE, TIMM_IMAGENET_PREPROCESSING, type RuleDefaults } from './rule-defaults.js';
export { resolveEfficientNetConfig } from './resolve-config.js';
export { registerVariants } from './register.js';
export { modelFromTimmCheckpoint, type TimmImport, type TimmImportOptions } from './timm-import.js';
export { kerasPreprocessing, modelFromKerasWeights, type KerasImport, type KerasImportOptions } from './keras-import.js';
