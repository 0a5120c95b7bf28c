import { describe, expect, it } from 'vitest';
import { registerTestBlock, tinySpec } from '../test-support/tiny-network.js';
import { resolveArchitecture } from './create-model.js';

describe('resolveArchitecture names the config file', () => {
  it('for an unknown scaling rule and an unknown block type', () => {
    registerTestBlock();
    expect(() => resolveArchitecture({ base: 'x', scaling: 'nope' }, { file: 'arch.json' })).toThrow(/^arch\.json: scaling: unknown scaling rule "nope"/);
    const spec = tinySpec({ stages: [{ type: 'nope_block', repeats: 1, kernel: 3, stride: 1, expandRatio: 1, inChannels: 8, outChannels: 8 }] });
    expect(() => resolveArchitecture(spec, { file: 'arch.json' })).toThrow(/^arch\.json: stages\[0\]\.type: unknown block type "nope_block"/);
  });
});
