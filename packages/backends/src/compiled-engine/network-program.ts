import { EffnetError, sameOutputSize } from '@effnet/core';
import { ACTIVATION_CODES, type Kernels } from './kernels-module.js';
import { ArenaBuffer, planArena } from './memory-plan.js';
import { COMMAND_WORDS, encodeCommands, Op, type Command, type CommandArg } from './program-commands.js';
import type { TraceMask, TraceNode, TraceValue } from './trace-ops.js';

/** A weight the program reads, and where its gradient goes (trainable weights, training only). */
export interface ProgramWeight {
  name: string;
  shape: number[];
  buffer: ArenaBuffer;
  grad?: ArenaBuffer;
}

/** The batch statistics a training program leaves for one BatchNorm layer. */
export interface ProgramStatistics {
  layer: string;
  channels: number;
  /** Rows the statistics were taken over (batch x height x width). */
  count: number;
  mean: ArenaBuffer;
  /** Biased batch variance (the one the normalization used). */
  variance: ArenaBuffer;
}

/** A random mask a training program reads. */
export interface ProgramMask extends TraceMask {
  buffer: ArenaBuffer;
}

/** Everything needed to run a traced network in the kernels' memory. */
export interface NetworkProgram {
  kernels: Kernels;
  commands: Command[];
  /** The commands encoded for the interpreter, and where they are copied before a run. */
  encoded: Int32Array;
  commandBuffer: ArenaBuffer;
  input: ArenaBuffer;
  output: ArenaBuffer;
  outputShape: number[];
  labels?: ArenaBuffer;
  /** One float: the mean loss of the last run (training). */
  loss?: ArenaBuffer;
  weights: ProgramWeight[];
  statistics: ProgramStatistics[];
  masks: ProgramMask[];
  /** End of the arena (bytes from the memory's start); the memory must be at least this large. */
  arenaEnd: number;
  /** Bytes of the arena: the program's peak memory besides the module's own. */
  arenaBytes: number;
}

/** How a program is built. */
export interface ProgramOptions {
  training: boolean;
  bnEpsilon: number;
  /** Shape of a weight by full name, and whether it trains. */
  weight(name: string): { shape: number[]; trainable: boolean };
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** TensorFlow's 'same' padding along one axis: output size and the padding before the first pixel. */
function samePadding(size: number, kernel: number, stride: number): { out: number; before: number } {
  const out = sameOutputSize(size, stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  return { out, before: Math.floor(total / 2) };
}

/** Rows of im2col done at a time by one thread: about 256 KiB of columns. */
function chunkRows(rowFloats: number): number {
  return Math.max(4, Math.floor(65536 / rowFloats / 4) * 4);
}

/** Activations whose derivative costs an exp: the forward pass saves it for the backward pass. */
const SAVED_DERIVATIVE = new Set(['silu']);

function act(name: string): number {
  const code = ACTIVATION_CODES[name];
  if (code === undefined) throw new EffnetError('GRAPH_UNSUPPORTED', `activation "${name}" has no compiled kernel`);
  return code;
}

/**
 * Lowers a traced network to commands of the kernels' interpreter over one planned arena: the
 * forward pass and, for training, the loss and the backward pass with every trainable weight's
 * gradient. Buffers live only from the command that writes them to the last that reads them.
 */
export function buildProgram(kernels: Kernels, nodes: readonly TraceNode[], masks: readonly TraceMask[], input: TraceValue, output: TraceValue, options: ProgramOptions): NetworkProgram {
  const T = kernels.threads;
  const buffers: ArenaBuffer[] = [];
  const commands: Command[] = [];
  const newBuffer = (floats: number, label: string) => {
    const b = new ArenaBuffer(Math.max(floats, 1) * 4, label);
    buffers.push(b);
    return b;
  };
  const persistent: ArenaBuffer[] = [];
  const keep = (b: ArenaBuffer) => (persistent.push(b), b);
  const emit = (label: string, op: number, args: CommandArg[]) => {
    for (const a of args) if (a instanceof ArenaBuffer) a.touch(commands.length);
    commands.push({ label, op, args });
  };

  // Scratch shared by every command that needs it, sized once all commands are known.
  const cols = keep(newBuffer(0, 'im2col columns'));
  const partials = keep(newBuffer(0, 'partial sums'));
  const partials64 = keep(newBuffer(0, 'partial sums (double)'));
  const means = keep(newBuffer(0, 'BatchNorm gradient means'));
  const transposed = keep(newBuffer(0, 'transposed weights'));
  let colsStride = 1;
  let partialFloats = 1;
  let maxChannels = 1;
  let transposedFloats = 1;

  const weights = new Map<string, ProgramWeight>();
  const weight = (name: string): ProgramWeight => {
    let w = weights.get(name);
    if (!w) {
      const decl = options.weight(name);
      w = { name, shape: decl.shape, buffer: keep(newBuffer(sizeOf(decl.shape), name)) };
      if (options.training && decl.trainable) w.grad = keep(newBuffer(sizeOf(decl.shape), `grad:${name}`));
      weights.set(name, w);
    }
    return w;
  };

  const values = new Map<number, ArenaBuffer>();
  const inputBuffer = keep(newBuffer(sizeOf(input.shape), 'input'));
  values.set(input.id, inputBuffer);
  const valueOf = (v: TraceValue) => {
    const b = values.get(v.id);
    if (!b) throw new EffnetError('GRAPH_UNSUPPORTED', `a traced value is read before it is written (value ${v.id})`);
    return b;
  };
  const produce = (v: TraceValue, label: string) => {
    const b = newBuffer(sizeOf(v.shape), label);
    values.set(v.id, b);
    return b;
  };

  const statistics: ProgramStatistics[] = [];
  const coefficients = new Map<string, ArenaBuffer>();
  const derivatives = new Map<string, ArenaBuffer>();
  const maskBuffers: ProgramMask[] = masks.map((m, i) => ({ ...m, buffer: keep(newBuffer(m.kind === 'drop-path' ? m.shape[0]! : sizeOf(m.shape), `mask:${i}`)) }));

  // Geometry words of a k x k convolution of x into y.
  const geometry = (x: TraceValue, y: TraceValue, kernel: number, stride: number): number[] => {
    const [B, H, W, C] = x.shape as [number, number, number, number];
    const ph = samePadding(H, kernel, stride);
    const pw = samePadding(W, kernel, stride);
    if (ph.out !== y.shape[1] || pw.out !== y.shape[2]) throw new EffnetError('GRAPH_UNSUPPORTED', 'convolution output size mismatch');
    return [B, H, W, C, kernel, stride, ph.before, pw.before, ph.out, pw.out];
  };
  const channelsOf = (v: TraceValue) => v.shape[v.shape.length - 1]!;
  const rowsOf = (v: TraceValue) => sizeOf(v.shape) / channelsOf(v);
  const colsFor = (row: number) => {
    const chunk = chunkRows(row);
    colsStride = Math.max(colsStride, chunk * row);
    return chunk;
  };
  const needPartials = (floats: number) => (partialFloats = Math.max(partialFloats, floats));
  const needTransposed = (floats: number) => (transposedFloats = Math.max(transposedFloats, floats));

  // ---- forward ----
  for (const node of nodes) {
    switch (node.op) {
      case 'conv': {
        const w = weight(`${node.layer}/kernel`);
        const x = valueOf(node.x);
        const y = produce(node.y, node.layer);
        const N = channelsOf(node.y);
        if (node.kernel === 1 && node.stride === 1) {
          emit(`${node.layer} conv1x1`, Op.GEMM, [x, w.buffer, y, rowsOf(node.x), N, channelsOf(node.x)]);
        } else {
          const chunk = colsFor(node.kernel * node.kernel * channelsOf(node.x));
          emit(`${node.layer} conv${node.kernel}x${node.kernel}`, Op.CONV, [x, w.buffer, y, N, ...geometry(node.x, node.y, node.kernel, node.stride), cols, colsStride, chunk]);
        }
        if (node.bias) emit(`${node.layer} bias`, Op.BIAS_ADD, [y, weight(`${node.layer}/bias`).buffer, rowsOf(node.y), N]);
        break;
      }
      case 'depthwise': {
        const w = weight(`${node.layer}/kernel`);
        const x = valueOf(node.x);
        const y = produce(node.y, node.layer);
        emit(`${node.layer} depthwise`, Op.DEPTHWISE, [x, w.buffer, y, ...geometry(node.x, node.y, node.kernel, node.stride)]);
        if (node.bias) emit(`${node.layer} bias`, Op.BIAS_ADD, [y, weight(`${node.layer}/bias`).buffer, rowsOf(node.y), channelsOf(node.y)]);
        break;
      }
      case 'batchnorm': {
        const C = channelsOf(node.x), M = rowsOf(node.x);
        maxChannels = Math.max(maxChannels, C);
        const gamma = weight(`${node.layer}/gamma`), beta = weight(`${node.layer}/beta`);
        const x = valueOf(node.x);
        let mean: ArenaBuffer, variance: ArenaBuffer;
        if (options.training) {
          mean = keep(newBuffer(C, `${node.layer} mean`));
          variance = keep(newBuffer(C, `${node.layer} variance`));
          statistics.push({ layer: node.layer, channels: C, count: M, mean, variance });
          emit(`${node.layer} statistics`, Op.BN_STATS, [x, M, C, mean, variance, partials64]);
        } else {
          mean = weight(`${node.layer}/moving_mean`).buffer;
          variance = weight(`${node.layer}/moving_variance`).buffer;
        }
        const coef = newBuffer(4 * C, `${node.layer} coefficients`);
        coefficients.set(node.layer, coef);
        emit(`${node.layer} coefficients`, Op.BN_COEF, [mean, variance, gamma.buffer, beta.buffer, { float: options.bnEpsilon }, C, coef]);
        const y = produce(node.y, node.layer);
        // Training: the derivative of a costly activation is saved for the backward pass.
        const saved = options.training && SAVED_DERIVATIVE.has(node.activation) ? newBuffer(M * C, `${node.layer} activation derivative`) : null;
        if (saved) derivatives.set(node.layer, saved);
        emit(`${node.layer} batchnorm+${node.activation}`, Op.BN_APPLY, [x, M, C, coef, act(node.activation), y, saved]);
        break;
      }
      case 'activate': {
        const x = valueOf(node.x), y = produce(node.y, node.activation);
        emit(node.activation, Op.ACT, [x, y, sizeOf(node.x.shape), act(node.activation)]);
        break;
      }
      case 'mean': {
        const [B, H, W, C] = node.x.shape as [number, number, number, number];
        emit('mean', Op.MEAN, [valueOf(node.x), produce(node.y, 'mean'), B, H * W, C]);
        break;
      }
      case 'gate': {
        const [B, H, W, C] = node.x.shape as [number, number, number, number];
        emit('gate', Op.GATE, [valueOf(node.x), valueOf(node.gate), produce(node.y, 'gate'), B, H * W, C]);
        break;
      }
      case 'mul':
        emit('mul', Op.MUL, [valueOf(node.a), valueOf(node.b), produce(node.y, 'mul'), sizeOf(node.y.shape)]);
        break;
      case 'add':
        emit('add', Op.ADD, [valueOf(node.a), valueOf(node.b), produce(node.y, 'add'), sizeOf(node.y.shape)]);
        break;
      case 'drop-path': {
        const B = node.x.shape[0]!;
        emit('drop-path', Op.SCALE_ROWS, [valueOf(node.x), maskBuffers[node.mask]!.buffer, produce(node.y, 'drop-path'), B, sizeOf(node.x.shape) / B]);
        break;
      }
      case 'dropout':
        emit('dropout', Op.MUL, [valueOf(node.x), maskBuffers[node.mask]!.buffer, produce(node.y, 'dropout'), sizeOf(node.x.shape)]);
        break;
      case 'dense': {
        const w = weight(`${node.layer}/kernel`), b = weight(`${node.layer}/bias`);
        const [B, C] = node.x.shape as [number, number];
        const y = produce(node.y, node.layer);
        emit(`${node.layer} dense`, Op.GEMM, [valueOf(node.x), w.buffer, y, B, node.units, C]);
        emit(`${node.layer} bias`, Op.BIAS_ADD, [y, b.buffer, B, node.units]);
        break;
      }
    }
  }
  const outputBuffer = keep(valueOf(output));

  // ---- loss and backward ----
  let labels: ArenaBuffer | undefined;
  let loss: ArenaBuffer | undefined;
  if (options.training) {
    const [B, N] = output.shape as [number, number];
    labels = keep(newBuffer(B * N, 'labels'));
    loss = keep(newBuffer(1, 'loss'));
    const grads = new Map<number, ArenaBuffer>();
    const dLogits = newBuffer(B * N, 'd logits');
    grads.set(output.id, dLogits);
    emit('softmax cross-entropy', Op.SOFTMAX_CE, [outputBuffer, labels, dLogits, B, N, loss]);
    /**
     * Where a backward command writes the gradient of `v`: its own buffer when it is the first
     * contribution, else a temporary that `finish` adds in. Null for the input image.
     */
    const gradTarget = (v: TraceValue, label: string): { buffer: ArenaBuffer; finish: () => void } | null => {
      if (v.id === input.id) return null;
      const existing = grads.get(v.id);
      const n = sizeOf(v.shape);
      if (!existing) {
        const b = newBuffer(n, `d ${label}`);
        grads.set(v.id, b);
        return { buffer: b, finish: () => {} };
      }
      const part = newBuffer(n, `d ${label} (part)`);
      return { buffer: part, finish: () => emit(`accumulate d ${label}`, Op.ADD, [part, existing, existing, n]) };
    };
    const biasGrad = (layer: string, dy: ArenaBuffer, M: number, N: number) => {
      needPartials((T - 1) * N);
      emit(`${layer} d bias`, Op.BIAS_GRAD, [dy, weight(`${layer}/bias`).grad!, M, N, partials]);
    };

    for (let i = nodes.length - 1; i >= 0; i--) {
      const node = nodes[i]!;
      const dy = grads.get(node.y.id);
      if (!dy) continue;
      switch (node.op) {
        case 'conv': {
          const w = weight(`${node.layer}/kernel`);
          const x = valueOf(node.x);
          const N = channelsOf(node.y), M = rowsOf(node.y);
          const K = node.kernel * node.kernel * channelsOf(node.x);
          if (node.bias) biasGrad(node.layer, dy, M, N);
          needPartials((T - 1) * K * N);
          const dx = gradTarget(node.x, node.layer);
          if (dx) needTransposed(K * N);
          if (node.kernel === 1 && node.stride === 1) {
            emit(`${node.layer} d kernel`, Op.GEMM_TN, [x, dy, w.grad!, M, K, N, partials]);
            if (dx) {
              emit(`${node.layer} transpose`, Op.TRANSPOSE, [w.buffer, transposed, K, N]);
              emit(`${node.layer} d input`, Op.GEMM, [dy, transposed, dx.buffer, M, K, N]);
            }
          } else {
            const g = geometry(node.x, node.y, node.kernel, node.stride);
            const chunk = colsFor(K);
            emit(`${node.layer} d kernel`, Op.CONV_DFILTER, [x, dy, w.grad!, N, ...g, cols, colsStride, chunk, partials]);
            if (dx) {
              emit(`${node.layer} transpose`, Op.TRANSPOSE, [w.buffer, transposed, K, N]);
              emit(`${node.layer} d input`, Op.CONV_DINPUT, [dy, transposed, dx.buffer, N, ...g, cols, colsStride, chunk]);
            }
          }
          dx?.finish();
          break;
        }
        case 'depthwise': {
          const w = weight(`${node.layer}/kernel`);
          if (node.bias) biasGrad(node.layer, dy, rowsOf(node.y), channelsOf(node.y));
          needPartials((T - 1) * sizeOf(w.shape));
          const dx = gradTarget(node.x, node.layer);
          emit(`${node.layer} d depthwise`, Op.DEPTHWISE_BACK, [valueOf(node.x), w.buffer, dy, dx?.buffer ?? null, w.grad!, ...geometry(node.x, node.y, node.kernel, node.stride), partials]);
          dx?.finish();
          break;
        }
        case 'batchnorm': {
          const C = channelsOf(node.x), M = rowsOf(node.x);
          const gamma = weight(`${node.layer}/gamma`), beta = weight(`${node.layer}/beta`);
          const dx = gradTarget(node.x, node.layer);
          if (!dx) throw new EffnetError('GRAPH_UNSUPPORTED', 'BatchNorm directly on the input image');
          emit(`${node.layer} d batchnorm+${node.activation}`, Op.BN_BACK, [dy, valueOf(node.x), M, C, coefficients.get(node.layer)!, gamma.buffer, beta.buffer, act(node.activation), dx.buffer, gamma.grad!, beta.grad!, partials64, means, derivatives.get(node.layer) ?? null]);
          dx.finish();
          break;
        }
        case 'activate': {
          const dx = gradTarget(node.x, node.activation);
          if (!dx) break;
          const n = sizeOf(node.x.shape);
          if (node.activation === 'sigmoid') emit('d sigmoid', Op.SIGMOID_BACK, [dy, valueOf(node.y), dx.buffer, n]);
          else emit(`d ${node.activation}`, Op.ACT_BACK, [dy, valueOf(node.x), dx.buffer, n, act(node.activation)]);
          dx.finish();
          break;
        }
        case 'mean': {
          const [B, H, W, C] = node.x.shape as [number, number, number, number];
          const dx = gradTarget(node.x, 'mean');
          if (!dx) break;
          emit('d mean', Op.MEAN_BACK, [dy, dx.buffer, B, H * W, C]);
          dx.finish();
          break;
        }
        case 'gate': {
          const [B, H, W, C] = node.x.shape as [number, number, number, number];
          const dx = gradTarget(node.x, 'gate input');
          const dg = gradTarget(node.gate, 'gate');
          if (!dg) throw new EffnetError('GRAPH_UNSUPPORTED', 'a gate computed from the input image alone');
          emit('d gate', Op.GATE_BACK, [dy, valueOf(node.x), valueOf(node.gate), dx?.buffer ?? null, dg.buffer, B, H * W, C]);
          dx?.finish();
          dg.finish();
          break;
        }
        case 'mul': {
          const n = sizeOf(node.y.shape);
          for (const [v, other, label] of [[node.a, node.b, 'mul a'], [node.b, node.a, 'mul b']] as const) {
            const d = gradTarget(v, label);
            if (!d) continue;
            emit(`d ${label}`, Op.MUL, [dy, valueOf(other), d.buffer, n]);
            d.finish();
          }
          break;
        }
        case 'add': {
          const n = sizeOf(node.y.shape);
          for (const [v, label] of [[node.a, 'add a'], [node.b, 'add b']] as const) {
            const d = gradTarget(v, label);
            if (!d) continue;
            emit(`d ${label}`, Op.COPY, [dy, d.buffer, n]);
            d.finish();
          }
          break;
        }
        case 'drop-path': {
          const B = node.x.shape[0]!;
          const dx = gradTarget(node.x, 'drop-path');
          if (!dx) break;
          emit('d drop-path', Op.SCALE_ROWS, [dy, maskBuffers[node.mask]!.buffer, dx.buffer, B, sizeOf(node.x.shape) / B]);
          dx.finish();
          break;
        }
        case 'dropout': {
          const dx = gradTarget(node.x, 'dropout');
          if (!dx) break;
          emit('d dropout', Op.MUL, [dy, maskBuffers[node.mask]!.buffer, dx.buffer, sizeOf(node.x.shape)]);
          dx.finish();
          break;
        }
        case 'dense': {
          const w = weight(`${node.layer}/kernel`);
          const [B, C] = node.x.shape as [number, number];
          const N = node.units;
          needPartials((T - 1) * C * N);
          emit(`${node.layer} d kernel`, Op.GEMM_TN, [valueOf(node.x), dy, w.grad!, B, C, N, partials]);
          biasGrad(node.layer, dy, B, N);
          const dx = gradTarget(node.x, node.layer);
          if (dx) {
            needTransposed(C * N);
            emit(`${node.layer} transpose`, Op.TRANSPOSE, [w.buffer, transposed, C, N]);
            emit(`${node.layer} d input`, Op.GEMM, [dy, transposed, dx.buffer, B, C, N]);
            dx.finish();
          }
          break;
        }
      }
    }
    for (const w of weights.values()) {
      if (w.grad && w.grad.last < 0) throw new EffnetError('GRAPH_UNSUPPORTED', `weight "${w.name}" gets no gradient in the compiled program`);
    }
  }
  cols.bytes = T * colsStride * 4;
  partials.bytes = partialFloats * 4;
  partials64.bytes = 2 * T * maxChannels * 8;
  means.bytes = 2 * maxChannels * 4;
  transposed.bytes = transposedFloats * 4;
  const encodedWords = commands.length * COMMAND_WORDS;
  const commandBuffer = keep(newBuffer(encodedWords, 'commands'));
  for (const b of persistent) b.touch(0), b.touch(commands.length);
  const arenaEnd = planArena(buffers, kernels.heapBase);
  // The colsStride argument was captured before the final stride was known: re-encode with it.
  for (const c of commands) if (c.op === Op.CONV || c.op === Op.CONV_DINPUT || c.op === Op.CONV_DFILTER) c.args[15] = colsStride;
  kernels.ensure(arenaEnd);
  return {
    kernels,
    commands,
    encoded: encodeCommands(commands),
    commandBuffer,
    input: inputBuffer,
    output: outputBuffer,
    outputShape: [...output.shape],
    ...(labels ? { labels } : {}),
    ...(loss ? { loss } : {}),
    weights: [...weights.values()],
    statistics,
    masks: maskBuffers,
    arenaEnd,
    arenaBytes: arenaEnd - kernels.heapBase,
  };
}

/**
 * Runs a program (its inputs, weights and masks already written) in one call into the kernels.
 * With `timings`, runs its commands one at a time and adds each one's milliseconds under its kind
 * (the label without the layer name): a profile of the pass.
 */
export function runProgram(program: NetworkProgram, timings?: Map<string, number>): void {
  const k = program.kernels;
  k.ensure(program.arenaEnd);
  // A caller that wrote inputs has claimed the arena already (claiming again would drop its hook).
  if (k.lastRun !== program) k.claim(program);
  const ptr = program.commandBuffer.offset;
  k.i32(ptr, program.encoded.length).set(program.encoded);
  if (!timings) {
    k.run(ptr, program.commands.length);
    return;
  }
  program.commands.forEach((c, i) => {
    const t0 = performance.now();
    k.run(ptr + i * COMMAND_WORDS * 4, 1);
    const kind = c.label.replace(/^\S*\/\S*\s/, '');
    timings.set(kind, (timings.get(kind) ?? 0) + performance.now() - t0);
  });
}
