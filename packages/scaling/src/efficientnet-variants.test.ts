import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describeArchitecture, getRegistry, planNetwork, registerVariant, resolveArchitecture } from '@effnet/core';
import { hasResidual, registerBlocks } from '@effnet/blocks';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../core/src/test-support/paths.js';
import { registerVariants } from './register.js';

interface Reference {
  models: Record<string, {
    params: number;
    numFeatures: number;
    macs: Record<string, number>;
    coefficients: { resolution: number; dropout: number };
    keras: { trainableParams: number; nonTrainable_breakdown: { batchnorm_moving_stats: number } };
  }>;
}

interface TimmStage {
  repeats: number;
  kernel: number;
  stride: number;
  expand_ratio: number;
  in_chs: number;
  out_chs: number;
  first_block_mid_chs: number | null;
  later_blocks_mid_chs: number | null;
  first_block_se_rd_chs: number;
  later_blocks_se_rd_chs: number | null;
  first_block_has_skip: boolean;
  later_blocks_have_skip: boolean | null;
}

interface TimmArch {
  num_params: number;
  model_overview: { stem: { out_chs: number }; head: { out_chs: number } };
  stages: TimmStage[];
}

const shared = path.resolve(REPO_ROOT, '../shared/reference');
const reference = JSON.parse(readFileSync(path.join(shared, 'v1-param-counts.json'), 'utf8')) as Reference;
const variants = [0, 1, 2, 3, 4, 5, 6, 7].map((n) => `efficientnet-b${n}`);
const timmArch = (name: string) => JSON.parse(readFileSync(path.join(shared, 'arch', `${name.replace('efficientnet-', 'tf_efficientnet_')}.json`), 'utf8')) as TimmArch;

beforeAll(() => {
  registerBlocks();
  registerVariants();
});

describe('EfficientNet (V1) variants', () => {
  it('the reference holds B0-B7, with trainable parameters as "params"', () => {
    expect(Object.keys(reference.models)).toEqual(variants);
    for (const name of variants) expect(reference.models[name]!.params).toBe(reference.models[name]!.keras.trainableParams);
  });

  it.each(variants)('%s: parameters exact, MACs within 1 %% of timm', (name) => {
    const ref = reference.models[name]!;
    const spec = resolveArchitecture(name, { numClasses: 1000 });
    expect(spec.headChannels).toBe(ref.numFeatures);
    for (const [res, macs] of Object.entries(ref.macs)) {
      const s = describeArchitecture(spec, Number(res));
      expect(s.params).toBe(ref.params);
      expect(s.nonTrainableParams).toBe(ref.keras.nonTrainable_breakdown.batchnorm_moving_stats);
      expect(Math.abs(s.macs - macs) / macs).toBeLessThan(0.01);
    }
  });

  it.each(variants)('%s: the block table equals timm\'s', (name) => {
    const arch = timmArch(name);
    const spec = resolveArchitecture(name, { numClasses: 1000 });
    expect(spec.stem.channels).toBe(arch.model_overview.stem.out_chs);
    expect(spec.headChannels).toBe(arch.model_overview.head.out_chs);
    const plan = planNetwork(spec);
    const ours = spec.stages.map((stage, s) => {
      const blocks = plan.blocks.map((b, i) => ({ b, p: plan.plugins[i]! })).filter(({ b }) => b.stage === s);
      const mid = (i: number) => (stage.expandRatio === 1 || !blocks[i] ? null : blocks[i]!.b.inChannels * stage.expandRatio);
      const se = (i: number) => (blocks[i] ? blocks[i]!.p.seChannels!(blocks[i]!.b)! : null);
      const skip = (i: number) => (blocks[i] ? hasResidual(blocks[i]!.b) : null);
      return {
        type: stage.type,
        repeats: stage.repeats,
        kernel: stage.kernel,
        stride: stage.stride,
        expand: stage.expandRatio,
        in: stage.inChannels,
        out: stage.outChannels,
        mid: [mid(0), mid(1)],
        se: [se(0), se(1)],
        skip: [skip(0), skip(1)],
      };
    });
    const theirs = arch.stages.map((t) => ({
      type: 'mbconv',
      repeats: t.repeats,
      kernel: t.kernel,
      stride: t.stride,
      expand: t.expand_ratio,
      in: t.in_chs,
      out: t.out_chs,
      mid: [t.first_block_mid_chs, t.later_blocks_mid_chs],
      se: [t.first_block_se_rd_chs, t.later_blocks_se_rd_chs],
      skip: [t.first_block_has_skip, t.later_blocks_have_skip],
    }));
    expect(ours).toEqual(theirs);
    expect(describeArchitecture(spec, 224).params).toBe(arch.num_params);
  });

  it('records the resolution (train = eval), dropout, V1 BatchNorm momentum and ImageNet preprocessing', () => {
    for (const name of variants) {
      const s = resolveArchitecture(name);
      const c = reference.models[name]!.coefficients;
      expect([s.trainSize, s.evalSize, s.dropout]).toEqual([c.resolution, c.resolution, c.dropout]);
      expect([s.dropPathRate, s.bnEpsilon, s.bnMomentum, s.activation]).toEqual([0.2, 1e-3, 0.99, 'silu']);
      expect(s.preprocessing.mean).toEqual([0.485, 0.456, 0.406]);
      expect(s.preprocessing.std).toEqual([0.229, 0.224, 0.225]);
    }
  });
});

describe('custom EfficientNet (V1) configs', () => {
  it('a V1 base keeps V1\'s rounding guard when width and depth change', () => {
    const s = resolveArchitecture({ base: 'efficientnet-b0', width: 1.2, depth: 0.5, numClasses: 5 });
    expect(s.name).toBe('efficientnet-b0-width1.2-depth0.5');
    // 16 x 1.2 = 19.2 rounds to 16, below 90 %: the guard gives 24 (timm's tf_efficientnet_b3 has 24 too).
    expect(s.stages.map((st) => `${st.repeats},${st.outChannels}`)).toEqual(['1,24', '1,32', '1,48', '2,96', '2,136', '2,232', '1,384']);
    expect([s.stem.channels, s.headChannels, s.bnMomentum, s.numClasses]).toEqual([40, 1536, 0.99, 5]);
  });

  it('the same width under the V2 rule has no guard', () => {
    const s = resolveArchitecture({ scaling: 'efficientnetv2', base: 'efficientnet-b0', width: 1.2 });
    expect(s.stages[0]!.outChannels).toBe(16);
    expect(s.bnMomentum).toBe(0.9);
  });

  it('block strings with the `efficientnet` rule: per-axis strides, V1 defaults', () => {
    const s = resolveArchitecture({ scaling: 'efficientnet', blocks: ['r1_k3_s11_e1_i32_o16_se0.25', 'r2_k5_s22_e6_i16_o24_se0.25'], headChannels: 640, width: 0.5, numClasses: 3 });
    expect(s.stages.map((st) => [st.type, st.repeats, st.stride, st.inChannels, st.outChannels, st.seRatio])).toEqual([
      ['mbconv', 1, 1, 16, 8, 0.25],
      ['mbconv', 2, 2, 8, 16, 0.25], // 24 x 0.5 = 12 rounds to 16 (to 8 without the guard)
    ]);
    expect([s.stem.channels, s.headChannels, s.bnMomentum, s.trainSize, s.evalSize]).toEqual([16, 320, 0.99, 224, 224]);
  });

  it('resolution scaling is not capped at 480 for V1', () => {
    expect(resolveArchitecture({ base: 'efficientnet-b7', resolution: 1.2 }).evalSize).toBe(720);
    expect(resolveArchitecture({ base: 'efficientnetv2-l', resolution: 1.2 }).evalSize).toBe(480);
  });

  it('a variant registered on a V1 variant keeps V1\'s rules through the chain', () => {
    registerVariant({ name: 'test-v1-shallow', scaling: 'efficientnetv2', config: { base: 'efficientnet-b0', depth: 0.5 } });
    try {
      const s = resolveArchitecture({ base: 'test-v1-shallow', width: 1.2 });
      expect(s.name).toBe('test-v1-shallow-width1.2');
      expect(s.stages.map((st) => `${st.repeats},${st.outChannels}`)).toEqual(['1,24', '1,32', '1,48', '2,96', '2,136', '2,232', '1,384']);
      expect(s.bnMomentum).toBe(0.99);
    } finally {
      getRegistry('variant').unregister('test-v1-shallow');
    }
  });
});
