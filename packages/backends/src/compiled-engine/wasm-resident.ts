import {
  EffnetError,
  type EffNetModel,
  type ResidentState,
  type ResidentStepResult,
  type ResidentStepSettings,
  type ResidentTraining,
  type ResidentTrainingConfig,
} from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { copyResidentState, pendingState } from '../resident-state.js';
import { ArenaBuffer } from './memory-plan.js';
import { runProgram, type NetworkProgram } from './network-program.js';
import { encodeCommands, Op, type Command } from './program-commands.js';
import { cachedTraining, drawMasks } from './wasm-compiler.js';

/** Words per update-table entry (wasm-kernels/update.h: ENTRY_WORDS). */
const ENTRY_WORDS = 8;
const OPTIMIZER_CODES = { rmsprop: 1, sgd: 2, adamw: 3 } as const;
/** The optimizer slots per optimizer, in the order of the kernels' slot_a and slot_b. */
const SLOTS: Record<ResidentTrainingConfig['optimizer']['type'], readonly string[]> = { rmsprop: ['ms', 'mom'], sgd: ['velocity'], adamw: ['m', 'v'] };

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const align = (n: number) => Math.ceil(n / 64) * 64;

/** A training program with the update appended, and where it keeps the state besides the weights. */
interface ResidentProgram {
  pass: NetworkProgram;
  /** The pass's commands, then the check, the optimizer, the EMA and the statistics. */
  program: NetworkProgram;
  /** Byte offsets of the state vectors that are not weights (`slot:<name>`, `ema`, `statistics`, `emaStatistics`). */
  vectors: Map<string, number>;
  /** Per trainable weight, in declaration order: the buffer holding it and its offset in the flat vector. */
  weights: { buffer: ArenaBuffer; grad: ArenaBuffer; at: number; size: number }[];
  params: ArenaBuffer;
  statisticsParams: ArenaBuffer;
  emaParams: ArenaBuffer;
  result: ArenaBuffer;
  /** The update's tables (byte offset, words), written with the state. */
  tables: { at: number; words: Int32Array }[];
}

/**
 * Resident training on wasm's compiled engine: the weights stay in the training program's buffers
 * and the optimizer slots, EMA and BatchNorm statistics in a region right after its arena, so a
 * step is one run of the program (the passes, then the update) with only the batch, the masks
 * and a few scalars written and the logits and four numbers read. Another program taking the
 * arena (an evaluation, another image size) first moves the state out to the host; the next step
 * moves it back.
 */
export class WasmResidentTraining implements ResidentTraining {
  private readonly programs = new Map<NetworkProgram, ResidentProgram>();
  /** The program whose memory holds the state, if any. */
  private holder: ResidentProgram | undefined;
  /** The state when no program holds it. */
  private pending: ResidentState | undefined;
  private readonly trainable;
  private readonly frozen;
  private readonly total: number;
  private readonly frozenTotal: number;

  constructor(
    private readonly model: EffNetModel,
    private readonly config: ResidentTrainingConfig,
  ) {
    let at = 0;
    this.trainable = model.weightDecls.filter((d) => d.trainable).map((d) => ({ name: d.name, size: sizeOf(d.shape), at: (at += sizeOf(d.shape)) - sizeOf(d.shape) }));
    this.total = at;
    at = 0;
    this.frozen = model.weightDecls.filter((d) => !d.trainable).map((d) => ({ name: d.name, size: sizeOf(d.shape), at: (at += sizeOf(d.shape)) - sizeOf(d.shape) }));
    this.frozenTotal = at;
    if (config.decayMask.length !== this.total) throw new EffnetError('BAD_ARGUMENT', 'the weight-decay mask does not cover the trainable weights', { field: 'decayMask', expected: this.total, actual: config.decayMask.length });
    model.onDispose(() => this.dispose());
  }

  load(state: ResidentState): void {
    this.checkState(state);
    this.pending = copyResidentState(state);
    this.holder = undefined;
  }

  read(): ResidentState {
    return this.holder ? this.readFrom(this.holder) : pendingState(this.pending);
  }

  step(x: tf.Tensor4D, labels: tf.Tensor2D, s: ResidentStepSettings): ResidentStepResult {
    const [batch, height, width] = x.shape;
    const r = this.resident(cachedTraining(this.model, batch, height, width, s));
    const k = r.pass.kernels;
    k.ensure(r.program.arenaEnd);
    // Before anything is written: a previous holder (another size) moves its state out first.
    k.claim(r.program, () => this.evict());
    if (this.holder !== r) {
      const state = this.read();
      this.writeState(r, state);
      this.holder = r;
      this.pending = undefined;
    }
    const p = r.pass;
    const y = labels.dataSync() as Float32Array;
    k.f32(p.input.offset, p.input.floats).set(x.dataSync() as Float32Array);
    k.f32(p.labels!.offset, y.length).set(y);
    drawMasks(this.model, p, s);
    this.writeScalars(r, s);
    runProgram(r.program);
    const [loss, norm2, ok] = k.f32(r.result.offset, 3);
    const [rows, classes] = p.outputShape as [number, number];
    const logits = k.f32(p.output.offset, rows * classes);
    let correct = 0;
    for (let i = 0; i < rows; i++) if (argmax(logits, i * classes, classes) === argmax(y, i * classes, classes)) correct++;
    return { loss: loss!, correct, gradientNorm2: norm2!, applied: ok === 1 };
  }

  dispose(): void {
    this.programs.clear();
    this.holder = undefined;
  }

  /** Another program takes the arena: the state moves to the host. */
  private evict(): void {
    if (!this.holder) return;
    this.pending = this.readFrom(this.holder);
    this.holder = undefined;
  }

  private checkState(state: ResidentState): void {
    const expect = (name: string, v: Float32Array | undefined, n: number) => {
      if (v?.length !== n) throw new EffnetError('BAD_ARGUMENT', 'resident training state has the wrong size', { field: name, expected: n, actual: v?.length ?? 'nothing' });
    };
    expect('weights', state.weights, this.total);
    expect('statistics', state.statistics, this.frozenTotal);
    for (const slot of SLOTS[this.config.optimizer.type]) expect(`slots.${slot}`, state.slots[slot], this.total);
    if (this.config.ema) {
      expect('ema', state.ema, this.total);
      expect('emaStatistics', state.emaStatistics, this.frozenTotal);
    }
  }

  /** The pass with the update appended (built once per pass program). */
  private resident(pass: NetworkProgram): ResidentProgram {
    const hit = this.programs.get(pass);
    if (hit) return hit;
    const byName = new Map(pass.weights.map((w) => [w.name, w]));
    const weights = this.trainable.map((d) => {
      const w = byName.get(d.name);
      if (!w?.grad) throw new EffnetError('GRAPH_UNSUPPORTED', `weight "${d.name}" is not trained by the compiled program, so the engine cannot keep the training state`);
      return { buffer: w.buffer, grad: w.grad, at: d.at, size: d.size };
    });
    // The region after the pass's arena: state vectors, tables, scalars, commands.
    let end = align(pass.arenaEnd);
    const place = (floats: number, label: string) => {
      const b = new ArenaBuffer(floats * 4, label);
      b.offset = end;
      end = align(end + b.bytes);
      return b;
    };
    const slots = SLOTS[this.config.optimizer.type];
    const vectors = new Map<string, number>();
    for (const slot of slots) vectors.set(`slot:${slot}`, place(this.total, `slot ${slot}`).offset);
    if (this.config.ema) vectors.set('ema', place(this.total, 'ema').offset);
    vectors.set('statistics', place(Math.max(this.frozenTotal, 1), 'statistics').offset);
    if (this.config.ema) vectors.set('emaStatistics', place(Math.max(this.frozenTotal, 1), 'ema statistics').offset);
    const table = place(weights.length * ENTRY_WORDS, 'update table');
    const statisticsTable = place(Math.max(this.frozen.length, 1) * ENTRY_WORDS, 'statistics table');
    const params = place(16, 'optimizer settings');
    const statisticsParams = place(8, 'statistics settings');
    const emaParams = place(2, 'ema settings');
    const result = place(4, 'step result');

    const k = pass.kernels;
    const bits = new DataView(new ArrayBuffer(4));
    const floatBits = (v: number) => (bits.setFloat32(0, v, true), bits.getInt32(0, true));
    const words = new Int32Array(weights.length * ENTRY_WORDS);
    weights.forEach((w, i) => {
      const decays = this.config.decayMask[w.at] === 1 ? 1 : 0;
      const slotAt = (n: number) => (slots[n] ? vectors.get(`slot:${slots[n]}`)! + w.at * 4 : 0);
      words.set([w.buffer.offset, w.grad.offset, w.size, slotAt(0), slotAt(1), this.config.ema ? vectors.get('ema')! + w.at * 4 : 0, decays, 0], i * ENTRY_WORDS);
    });
    const batchOf = new Map<string, { buffer: ArenaBuffer; correction: number }>();
    for (const st of pass.statistics) {
      batchOf.set(`${st.layer}/moving_mean`, { buffer: st.mean, correction: 1 });
      batchOf.set(`${st.layer}/moving_variance`, { buffer: st.variance, correction: st.count / Math.max(st.count - 1, 1) });
    }
    const statisticWords = new Int32Array(this.frozen.length * ENTRY_WORDS);
    this.frozen.forEach((d, i) => {
      const b = batchOf.get(d.name);
      const at = vectors.get('statistics')! + d.at * 4;
      statisticWords.set([at, b ? b.buffer.offset : 0, d.size, 0, 0, this.config.ema ? vectors.get('emaStatistics')! + d.at * 4 : 0, 0, floatBits(b?.correction ?? 1)], i * ENTRY_WORDS);
    });

    const update: Command[] = [
      { label: 'update/check', op: Op.CHECK, args: [table, weights.length, pass.loss!, result] },
      { label: 'update/optimizer', op: Op.OPTIMIZE, args: [table, weights.length, this.total, params, result] },
      ...(this.config.ema ? [{ label: 'update/ema', op: Op.EMA, args: [table, weights.length, this.total, emaParams, result] }] : []),
      ...(this.frozen.length ? [{ label: 'update/statistics', op: Op.STATISTICS, args: [statisticsTable, this.frozen.length, statisticsParams, result] }] : []),
    ];
    const commands = [...pass.commands, ...update];
    const encoded = encodeCommands(commands);
    const commandBuffer = place(encoded.length, 'commands');
    const program: NetworkProgram = { ...pass, commands, encoded, commandBuffer, arenaEnd: end, arenaBytes: end - k.heapBase };
    k.ensure(end);
    const r: ResidentProgram = { pass, program, vectors, weights, params, statisticsParams, emaParams, result, tables: [{ at: table.offset, words }, { at: statisticsTable.offset, words: statisticWords }] };
    this.programs.set(pass, r);
    return r;
  }

  /** Writes the state (and the update's tables) where the program keeps it. */
  private writeState(r: ResidentProgram, state: ResidentState): void {
    const k = r.pass.kernels;
    for (const t of r.tables) k.i32(t.at, t.words.length).set(t.words);
    for (const w of r.weights) k.f32(w.buffer.offset, w.size).set(state.weights.subarray(w.at, w.at + w.size));
    for (const [name, at] of r.vectors) {
      const v = this.vectorOf(state, name);
      if (v?.length) k.f32(at, v.length).set(v);
    }
  }

  /** Reads the state out of the program's memory (copies). */
  private readFrom(r: ResidentProgram): ResidentState {
    const k = r.pass.kernels;
    const weights = new Float32Array(this.total);
    for (const w of r.weights) weights.set(k.f32(w.buffer.offset, w.size), w.at);
    const vector = (name: string) => k.f32(r.vectors.get(name)!, name.endsWith('tatistics') ? this.frozenTotal : this.total).slice();
    const state: ResidentState = { weights, statistics: vector('statistics'), slots: Object.fromEntries(SLOTS[this.config.optimizer.type].map((s) => [s, vector(`slot:${s}`)])) };
    if (this.config.ema) {
      state.ema = vector('ema');
      state.emaStatistics = vector('emaStatistics');
    }
    return state;
  }

  private vectorOf(state: ResidentState, name: string): Float32Array | undefined {
    if (name === 'statistics') return state.statistics;
    if (name === 'ema') return state.ema;
    if (name === 'emaStatistics') return state.emaStatistics;
    return state.slots[name.slice('slot:'.length)];
  }

  /** The step's settings: the optimizer's (learning rate, AdamW's step size), the statistics' and the EMA's. */
  private writeScalars(r: ResidentProgram, s: ResidentStepSettings): void {
    const k = r.pass.kernels;
    const o = this.config.optimizer;
    const f = k.f32(r.params.offset, 10);
    const wd = this.config.weightDecay;
    f.fill(0);
    k.i32(r.params.offset, 1)[0] = OPTIMIZER_CODES[o.type];
    f[1] = s.learningRate;
    f[7] = wd;
    if (o.type === 'rmsprop') f.set([o.rho, 1 - o.rho, o.momentum, 0, o.epsilon], 2);
    else if (o.type === 'sgd') f.set([o.momentum, 0, o.nesterov ? 1 : 0], 2);
    else {
      const t = s.step + 1;
      f.set([o.beta1, 1 - o.beta1, o.beta2, 1 - o.beta2, o.epsilon], 2);
      f[8] = (s.learningRate * Math.sqrt(1 - o.beta2 ** t)) / (1 - o.beta1 ** t);
      f[9] = s.learningRate * wd;
    }
    const m = this.model.spec.bnMomentum;
    const st = k.f32(r.statisticsParams.offset, 6);
    const flags = k.i32(r.statisticsParams.offset, 6);
    st[0] = m;
    st[1] = 1 - m;
    flags[2] = s.updateStatistics ? 1 : 0;
    flags[3] = this.config.ema ? 1 : 0;
    st[4] = s.emaDecay;
    st[5] = 1 - s.emaDecay;
    k.f32(r.emaParams.offset, 2).set([s.emaDecay, 1 - s.emaDecay]);
  }
}

function argmax(values: ArrayLike<number>, from: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (values[from + i]! > values[from + best]!) best = i;
  return best;
}
