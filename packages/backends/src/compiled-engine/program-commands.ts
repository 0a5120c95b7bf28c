import type { ArenaBuffer } from './memory-plan.js';

/** Opcodes of the kernels' interpreter (wasm-kernels/program.c). */
export const Op = {
  GEMM: 1,
  CONV: 2,
  CONV_DINPUT: 3,
  CONV_DFILTER: 4,
  GEMM_TN: 5,
  DEPTHWISE: 6,
  DEPTHWISE_BACK: 7,
  BN_STATS: 8,
  BN_COEF: 9,
  BN_APPLY: 10,
  BN_BACK: 11,
  ACT: 12,
  ACT_BACK: 13,
  SIGMOID_BACK: 14,
  MEAN: 15,
  MEAN_BACK: 16,
  GATE: 17,
  GATE_BACK: 18,
  MUL: 19,
  ADD: 20,
  COPY: 21,
  SCALE_ROWS: 22,
  BIAS_ADD: 23,
  BIAS_GRAD: 24,
  TRANSPOSE: 25,
  SOFTMAX_CE: 26,
  CHECK: 27,
  OPTIMIZE: 28,
  EMA: 29,
  STATISTICS: 30,
} as const;

/** Words per encoded command (wasm-kernels/program.c: CMD_WORDS). */
export const COMMAND_WORDS = 24;

/** An argument: an integer, a float (encoded by its bits), a buffer (its offset) or none (0). */
export type CommandArg = number | { float: number } | ArenaBuffer | null;

/** One command of a program before the memory plan has placed its buffers. */
export interface Command {
  /** What it does, for profiles (`blocks/3/0/expand_conv d kernel`). */
  label: string;
  op: number;
  args: CommandArg[];
}

const bits = new DataView(new ArrayBuffer(4));

/** Encodes commands into int32 words, with the buffers' planned offsets. */
export function encodeCommands(commands: readonly Command[]): Int32Array {
  const out = new Int32Array(commands.length * COMMAND_WORDS);
  commands.forEach((c, i) => {
    if (c.args.length >= COMMAND_WORDS) throw new RangeError(`command ${c.label} has ${c.args.length} arguments`);
    const base = i * COMMAND_WORDS;
    out[base] = c.op;
    c.args.forEach((a, j) => {
      let v: number;
      if (a === null) v = 0;
      else if (typeof a === 'number') v = a;
      else if ('float' in a) {
        bits.setFloat32(0, a.float, true);
        v = bits.getInt32(0, true);
      } else {
        if (a.offset < 0) throw new Error(`buffer ${a.label} was not placed`);
        v = a.offset;
      }
      out[base + 1 + j] = v;
    });
  });
  return out;
}
