import type { BlockPlugin, BlockSpec, LayerOps } from '@effnet/core';
import { closeResidual } from './residual.js';
import { seChannels, squeezeExcite } from './squeeze-excite.js';
import { validateConvStage } from './validate-stage.js';

function expandedChannels(block: BlockSpec): number {
  return block.inChannels * block.expandRatio;
}

/**
 * MBConv (inverted residual): 1x1 expand conv + BN + act (skipped when the expand ratio is 1),
 * k x k depthwise conv with the block's stride + BN + act, optional squeeze-excitation, 1x1
 * project conv + BN (no activation), residual with stochastic depth when stride 1 and in = out.
 */
export const mbconvBlock: BlockPlugin = {
  name: 'mbconv',
  description: 'MBConv: 1x1 expand, depthwise k x k, squeeze-excitation, 1x1 project (EfficientNetV2 stages 4-7, every EfficientNet V1 stage)',
  forward<T>(ops: LayerOps<T>, input: T, block: BlockSpec): T {
    let x = input;
    if (block.expandRatio !== 1) {
      x = ops.conv2d('expand_conv', x, { filters: expandedChannels(block), kernel: 1 });
      x = ops.batchNormActivate('expand_bn', x);
    }
    x = ops.depthwiseConv2d('dw_conv', x, { kernel: block.kernel, stride: block.stride });
    x = ops.batchNormActivate('dw_bn', x);
    if (block.seRatio > 0) x = squeezeExcite(ops, x, seChannels(block.inChannels, block.seRatio));
    x = ops.conv2d('project_conv', x, { filters: block.outChannels, kernel: 1 });
    x = ops.batchNorm('project_bn', x);
    return closeResidual(ops, x, input, block);
  },
  validateStage: validateConvStage,
  label: (b) => `MBConv${b.expandRatio} k${b.kernel}x${b.kernel}${b.seRatio > 0 ? ` SE${b.seRatio}` : ''}`,
  seChannels: (b) => (b.seRatio > 0 ? seChannels(b.inChannels, b.seRatio) : undefined),
  // timm builds an expanding MBConv as `InvertedResidual` (conv_pw, conv_dw, conv_pwl) and one
  // with expand ratio 1 as `DepthwiseSeparableConv` (conv_dw, conv_pw), as in EfficientNet's first stage.
  timmLayerNames: (b): Record<string, string> =>
    b.expandRatio !== 1
      ? { expand_conv: 'conv_pw', expand_bn: 'bn1', dw_conv: 'conv_dw', dw_bn: 'bn2', se_reduce: 'se.conv_reduce', se_expand: 'se.conv_expand', project_conv: 'conv_pwl', project_bn: 'bn3' }
      : { dw_conv: 'conv_dw', dw_bn: 'bn1', se_reduce: 'se.conv_reduce', se_expand: 'se.conv_expand', project_conv: 'conv_pw', project_bn: 'bn2' },
  kerasLayerNames: () => ({
    expand_conv: 'expand_conv',
    expand_bn: 'expand_bn',
    dw_conv: 'dwconv2',
    dw_bn: 'bn',
    se_reduce: 'se_reduce',
    se_expand: 'se_expand',
    project_conv: 'project_conv',
    project_bn: 'project_bn',
  }),
};
