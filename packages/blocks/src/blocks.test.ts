import { createModel, describeArchitecture, getRegistry, initialValue, MeterOps, TensorOps, type BlockPlugin, type BlockSpec, type StageSpec } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { fusedMbconvBlock } from './fused-mbconv.js';
import { mbconvBlock } from './mbconv.js';
import { registerBlocks } from './register.js';
import { hasResidual } from './residual.js';
import { seChannels } from './squeeze-excite.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerBlocks();
});

function block(overrides: Partial<BlockSpec>): BlockSpec {
  return {
    type: 'mbconv', stage: 0, index: 0, globalIndex: 0, totalBlocks: 1, kernel: 3, stride: 1, expandRatio: 4,
    inChannels: 16, outChannels: 16, seRatio: 0, survivalProb: 1, options: {}, ...overrides,
  };
}

function layers(plugin: BlockPlugin, b: BlockSpec, hw = 8) {
  const meter = new MeterOps();
  const out = plugin.forward(meter, { shape: [1, hw, hw, b.inChannels] }, b);
  return { out: out.shape, weights: meter.log.weights.map((w) => `${w.name} ${w.shape.join('x')}`) };
}

describe('squeeze-excitation width and residual rule', () => {
  it('SE width is max(1, floor(block input x ratio))', () => {
    expect(seChannels(48, 0.25)).toBe(12);
    expect(seChannels(96, 0.25)).toBe(24);
    expect(seChannels(2, 0.25)).toBe(1);
    expect(seChannels(57, 0.25)).toBe(14);
  });

  it('residual only when stride 1 and in = out', () => {
    expect(hasResidual({ stride: 1, inChannels: 24, outChannels: 24 })).toBe(true);
    expect(hasResidual({ stride: 2, inChannels: 24, outChannels: 24 })).toBe(false);
    expect(hasResidual({ stride: 1, inChannels: 32, outChannels: 16 })).toBe(false);
  });
});

describe('MBConv', () => {
  it('expand 1x1, depthwise kxk with stride, SE on the block input width, project 1x1', () => {
    const { out, weights } = layers(mbconvBlock, block({ inChannels: 48, outChannels: 96, stride: 2, seRatio: 0.25 }));
    expect(out).toEqual([1, 4, 4, 96]);
    expect(weights.filter((w) => w.includes('kernel'))).toEqual([
      'expand_conv/kernel 1x1x48x192',
      'dw_conv/kernel 3x3x192x1',
      'se_reduce/kernel 1x1x192x12',
      'se_expand/kernel 1x1x12x192',
      'project_conv/kernel 1x1x192x96',
    ]);
  });

  it('skips the expand conv when the expand ratio is 1', () => {
    const { weights } = layers(mbconvBlock, block({ expandRatio: 1 }));
    expect(weights.some((w) => w.startsWith('expand'))).toBe(false);
  });

  it('timm names: InvertedResidual when expanding, DepthwiseSeparableConv with expand ratio 1', () => {
    expect(mbconvBlock.timmLayerNames!(block({ expandRatio: 6 }))).toMatchObject({ expand_conv: 'conv_pw', dw_conv: 'conv_dw', dw_bn: 'bn2', project_conv: 'conv_pwl', project_bn: 'bn3' });
    expect(mbconvBlock.timmLayerNames!(block({ expandRatio: 1 }))).toEqual({
      dw_conv: 'conv_dw', dw_bn: 'bn1', se_reduce: 'se.conv_reduce', se_expand: 'se.conv_expand', project_conv: 'conv_pw', project_bn: 'bn2',
    });
  });
});

describe('Fused-MBConv', () => {
  it('expand ratio 1 is a single kxk conv + BN + activation', () => {
    const { out, weights } = layers(fusedMbconvBlock, block({ type: 'fused_mbconv', expandRatio: 1, inChannels: 32, outChannels: 16 }));
    expect(out).toEqual([1, 8, 8, 16]);
    expect(weights).toEqual([
      'project_conv/kernel 3x3x32x16',
      'project_bn/gamma 16',
      'project_bn/beta 16',
      'project_bn/moving_mean 16',
      'project_bn/moving_variance 16',
    ]);
  });

  it('otherwise a kxk expand conv with the stride, then a 1x1 project', () => {
    const { out, weights } = layers(fusedMbconvBlock, block({ type: 'fused_mbconv', expandRatio: 4, inChannels: 16, outChannels: 32, stride: 2 }));
    expect(out).toEqual([1, 4, 4, 32]);
    expect(weights.filter((w) => w.includes('kernel'))).toEqual(['expand_conv/kernel 3x3x16x64', 'project_conv/kernel 1x1x64x32']);
  });

  it('the project BN of an expanding block has no activation; with expand ratio 1 it has one', () => {
    const minOut = (b: BlockSpec) => {
      const meter = new MeterOps();
      fusedMbconvBlock.forward(meter, { shape: [1, 8, 8, b.inChannels] }, b);
      const weights = new Map(meter.log.weights.map((w, i) => [w.name, initialValue(w, i + 1)]));
      for (const w of meter.log.weights) {
        if (w.kind === 'bn_beta') weights.set(w.name, tf.fill(w.shape, -2));
      }
      const ops = new TensorOps({ weights, training: false, updateStatistics: false, activation: 'silu', bnEpsilon: 1e-3, bnMomentum: 0.9, nextSeed: () => 1 });
      const y = fusedMbconvBlock.forward(ops, tf.randomNormal([1, 8, 8, b.inChannels], 0, 1, 'float32', 2), b);
      return tf.min(y).dataSync()[0]!;
    };
    // SiLU is never below -0.2785; a BatchNorm with beta -2 and no activation is.
    expect(minOut(block({ type: 'fused_mbconv', expandRatio: 4, inChannels: 8, outChannels: 16, stride: 2 }))).toBeLessThan(-1);
    expect(minOut(block({ type: 'fused_mbconv', expandRatio: 1, inChannels: 8, outChannels: 16 }))).toBeGreaterThanOrEqual(-0.2785);
  });
});

describe('custom block types', () => {
  it('a block registered by a user is used in an architecture, counted and run', () => {
    const plainConv: BlockPlugin = {
      name: 'user_plain_conv',
      description: 'conv + BN + act, residual when shapes allow',
      forward(ops, input, b) {
        const x = ops.activate(ops.batchNorm('bn', ops.conv2d('conv', input, { filters: b.outChannels, kernel: b.kernel, stride: b.stride })));
        return b.stride === 1 && b.inChannels === b.outChannels ? ops.add(x, input) : x;
      },
    };
    getRegistry('block').register(plainConv);
    const stages: StageSpec[] = [
      { type: 'fused_mbconv', repeats: 1, kernel: 3, stride: 1, expandRatio: 1, inChannels: 16, outChannels: 16 },
      { type: 'user_plain_conv', repeats: 2, kernel: 5, stride: 2, expandRatio: 1, inChannels: 16, outChannels: 24 },
      { type: 'mbconv', repeats: 1, kernel: 3, stride: 1, expandRatio: 6, inChannels: 24, outChannels: 24, seRatio: 0.25 },
    ];
    const spec = {
      name: 'mixed', stem: { channels: 16, kernel: 3, stride: 2 }, stages, headChannels: 64, numClasses: 4, dropout: 0.1, dropPathRate: 0.2,
      activation: 'silu' as const, bnEpsilon: 1e-3, bnMomentum: 0.9, trainSize: 32, evalSize: 32,
      preprocessing: { scale: 1, offset: 0, mean: [0, 0, 0] as [number, number, number], std: [1, 1, 1] as [number, number, number] },
    };
    const summary = describeArchitecture(spec, 32);
    expect(summary.stages[1]!.params).toBe(5 * 5 * 16 * 24 + 2 * 24 + 5 * 5 * 24 * 24 + 2 * 24);
    const model = createModel(spec);
    const y = model.predict(tf.zeros([1, 32, 32, 3]));
    expect(y.shape).toEqual([1, 4]);
    y.dispose();
    model.dispose();
    getRegistry('block').unregister('user_plain_conv');
  });

  it('registerBlocks is idempotent but refuses a different plugin under a built-in name', () => {
    registerBlocks();
    registerBlocks();
    const registry = getRegistry('block');
    const original = registry.get('mbconv');
    registry.unregister('mbconv');
    registry.register({ ...original, forward: (_ops, x) => x });
    expect(() => registerBlocks()).toThrow(/block type "mbconv" is already registered/);
    registry.unregister('mbconv');
    registry.register(original);
  });
});
