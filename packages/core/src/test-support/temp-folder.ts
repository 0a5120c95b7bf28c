import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll } from 'vitest';
import { registerTestBlock } from './tiny-network.js';

/**
 * For a test file that saves tiny models: the cpu backend and the test block before all tests,
 * a fresh temporary folder named `<prefix>...` removed after them. Returns a getter for its path.
 */
export function useTinyModelFolder(prefix: string): () => string {
  let dir = '';
  beforeAll(async () => {
    await tf.setBackend('cpu');
    registerTestBlock();
    dir = await mkdtemp(path.join(tmpdir(), prefix));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  return () => dir;
}
