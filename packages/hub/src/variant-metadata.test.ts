import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createModel } from '@effnet/core';
import { registerBlocks } from '@effnet/blocks';
import { registerVariants } from '@effnet/scaling';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderModelCard } from './model-card.js';
import { parsePackageSpec } from './package-spec.js';
import { validateVariantMetadata, type VariantMetadata } from './variant-metadata.js';

let good: VariantMetadata;
beforeAll(async () => {
  await tf.setBackend('cpu');
  registerBlocks();
  registerVariants();
  const model = createModel({ base: 'efficientnetv2-b0', width: 0.25, depth: 0.25, numClasses: 2 }, { initialize: false });
  good = {
    schemaVersion: 1,
    name: '@my-org/cats-dogs',
    version: '1.2.0',
    license: 'MIT',
    architecture: model.spec,
    labels: ['cat', 'dog'],
    parameterCount: model.countParams().trainable,
    metrics: { 'pets/top1': 91.5 },
    createdBy: '@effnet/hub',
    dateSaved: new Date(0).toISOString(),
  };
  model.dispose();
});

function withField(path: string, value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(good)) as Record<string, unknown>;
  const keys = path.split('.');
  let o = copy;
  for (const k of keys.slice(0, -1)) o = o[k] as Record<string, unknown>;
  if (value === undefined) delete o[keys.at(-1)!];
  else o[keys.at(-1)!] = value;
  return copy;
}

describe('variant.json schema', () => {
  it('accepts what pack writes', () => {
    expect(validateVariantMetadata(JSON.parse(JSON.stringify(good)))).toEqual(good);
  });

  it.each([
    ['version', 'one', /variant.json: version: is not a semantic version \(expected e.g. 1.0.0, got one\)/],
    ['name', 'Not A Name', /variant.json: name: is not a valid npm package name/],
    ['license', undefined, /variant.json: license: must be a non-empty string/],
    ['labels', ['cat'], /variant.json: labels: needs one label per class \(expected 2 labels, got 1\)/],
    ['metrics.pets/top1', 'high', /variant.json: metrics.pets\/top1: must be a number/],
    ['cropPct', 1.5, /variant.json: cropPct: is too large/],
    ['schemaVersion', 7, /variant.json: schemaVersion: is newer than this @effnet\/hub understands/],
    ['dateSaved', 'yesterday', /variant.json: dateSaved: is not an ISO date/],
    ['licence', 'MIT', /variant.json: licence: is not a known field/],
    ['architecture.stem.channels', 0, /variant.json: architecture: stem.channels: is too small \(expected >= 1, got 0\)/],
    ['architecture.stages', [], /variant.json: architecture: stages: must list at least one stage/],
  ])('names the field when %s is wrong', (field, value, message) => {
    expect(() => validateVariantMetadata(withField(field, value))).toThrow(message);
  });

  it('writes a model card from the metadata', () => {
    const card = renderModelCard(good);
    expect(card).toMatch(/^# @my-org\/cats-dogs\n/);
    expect(card).toContain(`| parameters | ${good.parameterCount.toLocaleString('en-US')} |`);
    expect(card).toContain('| pets/top1 | 91.5 |');
    expect(card).toContain('`cat`, `dog`');
    expect(card).toContain("loadVariant('@my-org/cats-dogs@^1.2.0')");
  });
});

describe('package specs', () => {
  it('splits name and range', () => {
    expect(parsePackageSpec('@a/b')).toEqual({ name: '@a/b', range: 'latest', isTag: true });
    expect(parsePackageSpec('@a/b@^1.2')).toEqual({ name: '@a/b', range: '^1.2', isTag: false });
    expect(parsePackageSpec('plain@beta')).toEqual({ name: 'plain', range: 'beta', isTag: true });
    expect(() => parsePackageSpec('@A/b')).toThrow(/not a valid npm package name/);
    expect(() => parsePackageSpec('@a/b@')).toThrow(/empty version range/);
    expect(() => parsePackageSpec('@a/b@>>1')).toThrow(/neither a semver range nor a dist-tag/);
  });
});
