import type { VariantPlugin } from '@effnet/core';
import { EFFICIENTNET_RULE, TIMM_IMAGENET_PREPROCESSING } from './rule-defaults.js';
import type { EfficientNetV2Config } from './variant-config.js';

/**
 * The EfficientNet-B0 block strings of the official code (`efficientnet_builder.py`): MBConv
 * throughout, squeeze-excitation at a quarter of each block's input, strides per axis (`s22`).
 */
export const EFFICIENTNET_B0_BLOCKS = [
  'r1_k3_s11_e1_i32_o16_se0.25',
  'r2_k3_s22_e6_i16_o24_se0.25',
  'r2_k5_s22_e6_i24_o40_se0.25',
  'r3_k3_s22_e6_i40_o80_se0.25',
  'r3_k5_s11_e6_i80_o112_se0.25',
  'r4_k5_s22_e6_i112_o192_se0.25',
  'r1_k3_s11_e6_i192_o320_se0.25',
] as const;

interface Row {
  name: string;
  width: number;
  depth: number;
  /** The variant's resolution: trained and evaluated at this size. */
  size: number;
  dropout: number;
  params: number;
  flops: number;
  top1: number;
}

// `efficientnet_params` of the official code (width, depth, resolution, dropout) and the paper's
// Table 2 (parameters, FLOPs as multiply-adds, ImageNet top-1).
const ROWS: Row[] = [
  { name: 'efficientnet-b0', width: 1.0, depth: 1.0, size: 224, dropout: 0.2, params: 5.3e6, flops: 0.39e9, top1: 77.1 },
  { name: 'efficientnet-b1', width: 1.0, depth: 1.1, size: 240, dropout: 0.2, params: 7.8e6, flops: 0.7e9, top1: 79.1 },
  { name: 'efficientnet-b2', width: 1.1, depth: 1.2, size: 260, dropout: 0.3, params: 9.2e6, flops: 1.0e9, top1: 80.1 },
  { name: 'efficientnet-b3', width: 1.2, depth: 1.4, size: 300, dropout: 0.3, params: 12e6, flops: 1.8e9, top1: 81.6 },
  { name: 'efficientnet-b4', width: 1.4, depth: 1.8, size: 380, dropout: 0.4, params: 19e6, flops: 4.2e9, top1: 82.9 },
  { name: 'efficientnet-b5', width: 1.6, depth: 2.2, size: 456, dropout: 0.4, params: 30e6, flops: 9.9e9, top1: 83.6 },
  { name: 'efficientnet-b6', width: 1.8, depth: 2.6, size: 528, dropout: 0.5, params: 43e6, flops: 19e9, top1: 84.0 },
  { name: 'efficientnet-b7', width: 2.0, depth: 3.1, size: 600, dropout: 0.5, params: 66e6, flops: 37e9, top1: 84.3 },
];

/** EfficientNet (V1) B0-B7 as registry plugins, resolved by the `efficientnet` rule. */
export const efficientNetVariants: readonly VariantPlugin[] = ROWS.map((r) => {
  const config: EfficientNetV2Config = {
    blocks: [...EFFICIENTNET_B0_BLOCKS],
    width: r.width,
    depth: r.depth,
    headChannels: 1280,
    trainSize: r.size,
    evalSize: r.size,
    dropout: r.dropout,
    preprocessing: TIMM_IMAGENET_PREPROCESSING,
  };
  const b = r.name.slice(-2).toUpperCase();
  const variant: VariantPlugin = {
    name: r.name,
    description: r.width === 1 && r.depth === 1 ? 'EfficientNet-B0 (V1): the base network' : `EfficientNet-${b} (V1): B0 x width ${r.width}, depth ${r.depth}`,
    scaling: EFFICIENTNET_RULE,
    config: config as Record<string, unknown>,
    reference: { params: r.params, flops: r.flops, top1: r.top1, source: 'EfficientNet paper (Tan & Le, 2019), Table 2 (ImageNet-1k)' },
  };
  return variant;
});
