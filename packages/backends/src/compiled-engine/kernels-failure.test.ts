// A thread of the compiled engine that traps (here: a command reading past the end of memory)
// stops every thread: the run throws GRAPH_RUN_FAILED instead of waiting forever, and so does
// every later run until the kernels are loaded again.
import { afterEach, describe, expect, it } from 'vitest';
import { encodeCommands, Op } from './program-commands.js';
import { loadKernels, unloadKernels, type Kernels } from './kernels-module.js';

afterEach(() => unloadKernels());

/** A matrix product of M rows whose input rows from `validRows` on lie past the end of memory. */
function overrunningProduct(k: Kernels, validRows: number): number {
  const M = 1 << 20, N = 4, K = 4;
  k.ensure(k.heapBase + 64 * 2 ** 20);
  const end = k.memory.buffer.byteLength;
  const a = end - validRows * K * 4;
  const c = k.heapBase;
  const b = c + M * N * 4;
  const cmds = b + K * N * 4;
  const encoded = encodeCommands([{ label: 'overrun', op: Op.GEMM, args: [a, b, c, M, N, K] }]);
  k.i32(cmds, encoded.length).set(encoded);
  return cmds;
}

describe('a failing thread of the compiled engine', () => {
  it('when a worker traps: the run throws and later runs refuse, nothing hangs', async () => {
    const k = await loadKernels({ threads: 2 });
    const cmds = overrunningProduct(k, 1 << 19); // thread 0's half of the rows is in memory
    expect(() => k.run(cmds, 1)).toThrow(expect.objectContaining({ code: 'GRAPH_RUN_FAILED', message: expect.stringMatching(/worker thread/) }));
    expect(() => k.run(cmds, 1)).toThrow(/stopped after an earlier failure/);
  });

  it('when the main thread traps: the run throws and the workers stop waiting', async () => {
    const k = await loadKernels({ threads: 2 });
    const cmds = overrunningProduct(k, 0);
    expect(() => k.run(cmds, 1)).toThrow(expect.objectContaining({ code: 'GRAPH_RUN_FAILED', message: expect.stringMatching(/main thread/) }));
    expect(() => k.run(cmds, 1)).toThrow(/stopped after an earlier failure/);
  });

  it('on one thread: the run throws', async () => {
    const k = await loadKernels({ threads: 1 });
    const cmds = overrunningProduct(k, 0);
    expect(() => k.run(cmds, 1)).toThrow(expect.objectContaining({ code: 'GRAPH_RUN_FAILED' }));
  });
});
