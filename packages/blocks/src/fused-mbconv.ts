import type { BlockPlugin, BlockSpec, LayerOps } from '@effnet/core';
import { closeResidual } from './residual.js';
import { seChannels, squeezeExcite } from './squeeze-excite.js';
import { validateConvStage } from './validate-stage.js';

/**
 * Fused-MBConv: the expand 1x1 and depthwise k x k of MBConv fused into one k x k conv with the
 * block's stride + BN + act, optional squeeze-excitation, then a 1x1 project conv + BN. With
 * expand ratio 1 it is a single k x k conv + BN + activation (the official semantics). Residual
 * with stochastic depth when stride 1 and in = out.
 */
export const fusedMbconvBlock: BlockPlugin = {
  name: 'fused_mbconv',
  description: 'Fused-MBConv: k x k expand conv, squeeze-excitation, 1x1 project (EfficientNetV2 stages 1-3)',
  forward<T>(ops: LayerOps<T>, input: T, block: BlockSpec): T {
    let x = input;
    if (block.expandRatio !== 1) {
      x = ops.conv2d('expand_conv', x, { filters: block.inChannels * block.expandRatio, kernel: block.kernel, stride: block.stride });
      x = ops.batchNormActivate('expand_bn', x);
      if (block.seRatio > 0) x = squeezeExcite(ops, x, seChannels(block.inChannels, block.seRatio));
      x = ops.conv2d('project_conv', x, { filters: block.outChannels, kernel: 1 });
      x = ops.batchNorm('project_bn', x);
    } else {
      if (block.seRatio > 0) x = squeezeExcite(ops, x, seChannels(block.inChannels, block.seRatio));
      x = ops.conv2d('project_conv', x, { filters: block.outChannels, kernel: block.kernel, stride: block.stride });
      x = ops.batchNormActivate('project_bn', x);
    }
    return closeResidual(ops, x, input, block);
  },
  validateStage: validateConvStage,
  label: (b) => `Fused-MBConv${b.expandRatio} k${b.kernel}x${b.kernel}${b.seRatio > 0 ? ` SE${b.seRatio}` : ''}`,
  seChannels: (b) => (b.seRatio > 0 ? seChannels(b.inChannels, b.seRatio) : undefined),
  timmLayerNames: (b): Record<string, string> =>
    b.expandRatio !== 1
      ? { expand_conv: 'conv_exp', expand_bn: 'bn1', se_reduce: 'se.conv_reduce', se_expand: 'se.conv_expand', project_conv: 'conv_pwl', project_bn: 'bn2' }
      : { project_conv: 'conv', project_bn: 'bn1' },
  kerasLayerNames: () => ({
    expand_conv: 'expand_conv',
    expand_bn: 'expand_bn',
    se_reduce: 'se_reduce',
    se_expand: 'se_expand',
    project_conv: 'project_conv',
    project_bn: 'project_bn',
  }),
};
