import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { EffNetModel } from '../model/effnet-model.js';
import { registerTestBlock, tinySpec } from '../test-support/tiny-network.js';
import { encodeSafetensors, parseSafetensors } from './safetensors.js';
import { exportTimmSafetensors, importTimmSafetensors } from './timm-checkpoint.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerTestBlock();
});

describe('timm checkpoints with values no network holds', () => {
  async function mutated(name: RegExp, value: number): Promise<{ bytes: Uint8Array; tensor: string }> {
    const model = new EffNetModel(tinySpec(), { seed: 3 });
    const tensors = [...parseSafetensors(await exportTimmSafetensors(model)).values()];
    model.dispose();
    const t = tensors.find((x) => name.test(x.name))!;
    t.data[1] = value;
    return { bytes: encodeSafetensors(tensors), tensor: t.name };
  }

  it.each([
    ['NaN', /conv\.weight$/, Number.NaN, /holds a value that is not a finite number .*got NaN at element 1/],
    ['an infinity', /^classifier\.weight$/, Infinity, /holds a value that is not a finite number .*got Infinity at element 1/],
    ['a negative variance', /running_var$/, -0.5, /holds a negative variance .*got -0\.5 at element 1/],
  ])('refuses %s, naming the file and the tensor, and leaves the model as it was', async (_what, name, value, message) => {
    const { bytes, tensor } = await mutated(name, value);
    const model = new EffNetModel(tinySpec(), { seed: 9 });
    const before = model.weights.get(model.weightDecls[0]!.name)!.dataSync().slice();
    expect(() => importTimmSafetensors(model, bytes, 'w.safetensors')).toThrow(new RegExp(`^w\\.safetensors: ${tensor.replace(/\./g, '\\.')}: ${message.source}`));
    expect(model.weights.get(model.weightDecls[0]!.name)!.dataSync()).toEqual(before);
    model.dispose();
  });
});
