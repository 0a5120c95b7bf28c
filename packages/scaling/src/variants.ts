import { TIMM_TF_PREPROCESSING, type VariantPlugin } from '@effnet/core';
import { BASE_BLOCKS } from './base-blocks.js';
import { EFFICIENTNETV2_RULE } from './rule-defaults.js';
import type { EfficientNetV2Config } from './variant-config.js';

export { EFFICIENTNETV2_RULE } from './rule-defaults.js';

interface Row {
  name: string;
  blocks: keyof typeof BASE_BLOCKS;
  width: number;
  depth: number;
  trainSize: number;
  evalSize: number;
  dropout: number;
  params: number;
  flops: number;
  top1?: number;
  description: string;
  /** timm's generator: rounding guard and whether the head is width-scaled. */
  timm: { roundLimit: number; scaleHead: boolean };
}

// timm's generators: `_gen_efficientnetv2_base` rounds without guard and scales the head;
// `_gen_efficientnetv2_s` uses the 0.9 guard; `_m`, `_l`, `_xl` also keep the head at 1280.
const TIMM_BASE = { roundLimit: 0, scaleHead: true };
const TIMM_S = { roundLimit: 0.9, scaleHead: true };
const TIMM_FIXED_HEAD = { roundLimit: 0.9, scaleHead: false };

// google/automl efficientnetv2 `efficientnetv2_params` (width, depth, train size, eval size,
// dropout) and the official README's reference figures.
const ROWS: Row[] = [
  { name: 'efficientnetv2-b0', blocks: 'v2-base', width: 1.0, depth: 1.0, trainSize: 192, evalSize: 224, dropout: 0.2, params: 7.1e6, flops: 0.72e9, top1: 78.7, description: 'EfficientNetV2-B0: the base network', timm: TIMM_BASE },
  { name: 'efficientnetv2-b1', blocks: 'v2-base', width: 1.0, depth: 1.1, trainSize: 192, evalSize: 240, dropout: 0.2, params: 8.1e6, flops: 1.2e9, top1: 79.8, description: 'EfficientNetV2-B1: base x depth 1.1', timm: TIMM_BASE },
  { name: 'efficientnetv2-b2', blocks: 'v2-base', width: 1.1, depth: 1.2, trainSize: 208, evalSize: 260, dropout: 0.3, params: 10.1e6, flops: 1.7e9, top1: 80.5, description: 'EfficientNetV2-B2: base x width 1.1, depth 1.2', timm: TIMM_BASE },
  { name: 'efficientnetv2-b3', blocks: 'v2-base', width: 1.2, depth: 1.4, trainSize: 240, evalSize: 300, dropout: 0.3, params: 14.4e6, flops: 3.0e9, top1: 82.1, description: 'EfficientNetV2-B3: base x width 1.2, depth 1.4', timm: TIMM_BASE },
  { name: 'efficientnetv2-s', blocks: 'v2-s', width: 1.0, depth: 1.0, trainSize: 300, evalSize: 384, dropout: 0.2, params: 21.5e6, flops: 8.4e9, top1: 83.9, description: 'EfficientNetV2-S (paper Table 4)', timm: TIMM_S },
  { name: 'efficientnetv2-m', blocks: 'v2-m', width: 1.0, depth: 1.0, trainSize: 384, evalSize: 480, dropout: 0.3, params: 54.1e6, flops: 24.7e9, top1: 85.2, description: 'EfficientNetV2-M', timm: TIMM_FIXED_HEAD },
  { name: 'efficientnetv2-l', blocks: 'v2-l', width: 1.0, depth: 1.0, trainSize: 384, evalSize: 480, dropout: 0.4, params: 119.5e6, flops: 56.3e9, top1: 85.7, description: 'EfficientNetV2-L', timm: TIMM_FIXED_HEAD },
  { name: 'efficientnetv2-xl', blocks: 'v2-xl', width: 1.0, depth: 1.0, trainSize: 384, evalSize: 512, dropout: 0.4, params: 208e6, flops: 94e9, description: 'EfficientNetV2-XL (ImageNet-21k pre-training)', timm: TIMM_FIXED_HEAD },
];

/** The official variants B0-B3, S, M, L and XL as registry plugins. */
export const efficientNetV2Variants: readonly VariantPlugin[] = ROWS.map((r) => {
  const config: EfficientNetV2Config = {
    blocks: [...BASE_BLOCKS[r.blocks]],
    width: r.width,
    depth: r.depth,
    headChannels: 1280,
    trainSize: r.trainSize,
    evalSize: r.evalSize,
    dropout: r.dropout,
    preprocessing: TIMM_TF_PREPROCESSING,
    timm: r.timm,
  };
  const variant: VariantPlugin = {
    name: r.name,
    description: r.description,
    scaling: EFFICIENTNETV2_RULE,
    config: config as Record<string, unknown>,
    reference: {
      params: r.params,
      flops: r.flops,
      ...(r.top1 !== undefined ? { top1: r.top1 } : {}),
      source: 'google/automl efficientnetv2 README (ImageNet-1k)',
    },
  };
  return variant;
});
