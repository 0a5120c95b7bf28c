import os from 'node:os';
import { useBackend } from '@effnet/backends';
import { describe, expect, it } from 'vitest';
import { workerCount } from './commands/train.js';
import { parseDropoutRange, parseWorkers } from './train-options.js';

describe('--workers and --dropout', () => {
  it('auto starts workers only on single-threaded backends, one per extra core, 16+ images per thread', () => {
    const cores = os.availableParallelism();
    expect(workerCount('auto', 'tfjs-node', 128)).toBe(0);
    expect(workerCount('auto', 'webgpu', 128)).toBe(0);
    expect(workerCount('auto', 'wasm', 128)).toBe(Math.min(7, cores - 1));
    expect(workerCount('auto', 'wasm', 16)).toBe(0);
    expect(workerCount('auto', 'cpu', 32)).toBe(Math.min(1, cores - 1));
    expect(workerCount(3, 'tfjs-node', 8)).toBe(3);
    expect(workerCount(12, 'wasm', 8)).toBe(7);
  });

  it('auto starts none where the compiled engine splits each pass over every core (wasm), unless the engine is eager', async () => {
    await useBackend('wasm');
    const cores = os.availableParallelism();
    expect(workerCount('auto', 'wasm', 128)).toBe(0);
    expect(workerCount('auto', 'wasm', 128, 'graph')).toBe(0);
    expect(workerCount('auto', 'wasm', 128, 'eager')).toBe(Math.min(7, cores - 1));
    expect(workerCount(2, 'wasm', 128)).toBe(2);
  });

  it('parses the options and names the option when it is wrong', () => {
    expect(parseWorkers('auto')).toBe('auto');
    expect(parseWorkers('2')).toBe(2);
    expect(() => parseWorkers('-1')).toThrow(/--workers: must be auto or a whole number of worker threads/);
    expect(() => parseWorkers('two')).toThrow(/--workers/);
    expect(parseDropoutRange('0,0.05')).toEqual([0, 0.05]);
    expect(() => parseDropoutRange('0.1')).toThrow(/--dropout: must be two dropout rates/);
    expect(() => parseDropoutRange('0,1')).toThrow(/--dropout/);
  });
});
