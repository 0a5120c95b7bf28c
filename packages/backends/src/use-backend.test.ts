import { getRegistry } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { explainBackendError } from './backend-errors.js';
import { useBackend } from './use-backend.js';

describe('useBackend', () => {
  it('rejects an unknown backend, listing the known ones', async () => {
    await expect(useBackend('abacus')).rejects.toThrow(/unknown backend "abacus"; known: tfjs-node-gpu, tfjs-node, webgpu, webgl, wasm, cpu, auto/);
  });

  it('says what to install for a missing optional backend, and where a backend cannot run', async () => {
    await expect(useBackend('tfjs-node-gpu')).rejects.toThrow(/needs @tensorflow\/tfjs-node-gpu, which is not installed. Install it: npm install @tensorflow\/tfjs-node-gpu@4.22.0/);
    await expect(useBackend('webgl')).rejects.toThrow(/does not run in Node/);
  });

  it('auto starts the first backend that initialises and says what it skipped', async () => {
    const info = await useBackend('auto');
    expect(tf.getBackend()).toBe(info.tfName);
    expect(['wasm', 'webgpu', 'tfjs-node', 'tfjs-node-gpu']).toContain(info.name);
    const order = getRegistry('backend').list().map((b) => b.name);
    for (const s of info.skipped) expect(order.indexOf(s.name)).toBeLessThan(order.indexOf(info.name));
  });

  it('starts cpu and wasm by name, with effnet kernels installed', async () => {
    const cpu = await useBackend('cpu');
    expect(cpu.patches.map((p) => p.kernelName)).toContain('Conv2DBackpropFilter');
    const wasm = await useBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(wasm.patches.filter((p) => p.installed).map((p) => p.kernelName)).toEqual(
      expect.arrayContaining(['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput']),
    );
    expect(tf.getKernel('DepthwiseConv2dNativeBackpropInput', 'wasm')).toBeDefined();
  });

  it('explains out-of-memory failures with what to do', async () => {
    await useBackend('wasm');
    const e = explainBackendError(new RangeError('memory access out of bounds'), 'a training step') as Error;
    expect(e.message).toMatch(/backend "wasm" ran out of memory during a training step: the wasm heap .* lower the batch size, or .* micro-batches/);
    const other = new Error('something else');
    expect(explainBackendError(other)).toBe(other);
  });
});
