import { registerBlocks } from '@effnet/blocks';
import { registerVariants } from '@effnet/scaling';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixedPresetSettings } from './presets.js';
import { buildSchedule } from './schedule-plugin.js';

beforeAll(() => {
  registerBlocks();
  registerVariants();
});

describe('the fixed preset', () => {
  it('trains S, M and L at the largest size of Table 6', () => {
    const s = buildSchedule('fixed', { variant: 'efficientnetv2-m', epochs: 10 });
    expect(s.stages.map((st) => [st.imageSize, st.dropout, st.randAugmentMagnitude])).toEqual([[380, 0.4, 20]]);
    expect(s.evalSize).toBe(480);
  });

  it('trains any other registered variant at its own size and dropout, evaluated at its eval size', () => {
    const b3 = buildSchedule('fixed', { variant: 'efficientnet-b3', epochs: 10 });
    expect(b3.stages.map((st) => [st.startEpoch, st.endEpoch, st.imageSize, st.dropout, st.randAugmentMagnitude, st.mixupAlpha, st.cutmixAlpha])).toEqual([[0, 10, 300, 0.3, 0, 0, 0]]);
    expect(b3.evalSize).toBe(300);
    expect(fixedPresetSettings('efficientnetv2-b0')).toMatchObject({ max: { imageSize: 192, dropout: 0.2 }, evalSize: 224 });
  });

  it('refuses a variant that is neither in Table 6 nor registered', () => {
    expect(() => buildSchedule('fixed', { variant: 'efficientnet-b9' })).toThrow(/variant: the fixed schedule has settings for efficientnetv2-s, efficientnetv2-m, efficientnetv2-l only/);
  });
});
