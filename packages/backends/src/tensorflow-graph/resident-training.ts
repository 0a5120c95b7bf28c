import { EffnetError, isEffnetError, type EffNetModel, type ResidentState, type ResidentStepResult, type ResidentStepSettings, type ResidentTraining, type ResidentTrainingConfig } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { copyResidentState, pendingState } from '../resident-state.js';
import { drawMasks } from './draw-masks.js';
import { residentGraph, RESIDENT_SLOTS, type ResidentGraph } from './resident-graph.js';
import { TensorFlowSession } from './tensorflow-session.js';

interface Compiled {
  session: TensorFlowSession;
  graph: Omit<ResidentGraph, 'graph' | 'signature'>;
  inputs: ReadonlySet<string>;
}

/**
 * Resident training on tfjs-node: one TensorFlow session per input size and regularisation, each
 * holding the state in variables; a step is one native call. When a step needs another session
 * (a new stage), the state moves from the session that holds it into that one.
 */
export class TensorFlowResidentTraining implements ResidentTraining {
  private readonly sessions = new Map<string, Compiled | EffnetError>();
  /** The session whose variables hold the current state, if any. */
  private holder: Compiled | undefined;
  /** The state when no session holds it. */
  private pending: ResidentState | undefined;

  constructor(
    private readonly model: EffNetModel,
    private readonly config: ResidentTrainingConfig,
  ) {
    model.onDispose(() => this.dispose());
  }

  private compiled(height: number, width: number, s: ResidentStepSettings): Compiled {
    const key = `${height}x${width}|dropout:${s.dropout > 0}|drop-path:${s.dropPathRate}|statistics:${s.updateStatistics}`;
    const hit = this.sessions.get(key);
    if (hit instanceof Error) throw hit;
    if (hit) return hit;
    try {
      const { graph, signature, ...rest } = residentGraph(this.model, height, width, s, this.config);
      const compiled = { session: new TensorFlowSession(graph, signature), graph: rest, inputs: new Set(Object.keys(signature.inputs)) };
      this.sessions.set(key, compiled);
      return compiled;
    } catch (e) {
      if (isEffnetError(e)) this.sessions.set(key, e);
      throw e;
    }
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
    const target = this.compiled(height, width, s);
    if (this.holder !== target) {
      const state = this.read();
      this.loadInto(target, state);
      this.holder = target;
      this.pending = undefined;
    }
    const masks = drawMasks(this.model, target.graph.masks, batch, s.dropout);
    const feeds: Record<string, tf.Tensor> = { images: x, labels };
    masks.forEach((m, i) => (feeds[`mask:${i}`] = m));
    const o = this.config.optimizer;
    const scalars: Record<string, number> = { lr: s.learningRate, emaDecay: s.emaDecay, emaRest: 1 - s.emaDecay, decayRate: s.learningRate * this.config.weightDecay };
    if (o.type === 'adamw') {
      const t = s.step + 1;
      scalars.stepSize = (s.learningRate * Math.sqrt(1 - o.beta2 ** t)) / (1 - o.beta1 ** t);
    }
    const made: tf.Tensor[] = [];
    for (const [k, v] of Object.entries(scalars)) {
      if (!target.inputs.has(k)) continue;
      const t = tf.scalar(v);
      made.push(t);
      feeds[k] = t;
    }
    try {
      const [result] = target.session.runWith(feeds, ['result']);
      const values = result!.dataSync();
      result!.dispose();
      return { loss: values[0]!, correct: values[1]!, gradientNorm2: values[2]!, applied: values[3] === 1 };
    } finally {
      tf.dispose([...masks, ...made]);
    }
  }

  private checkState(state: ResidentState): void {
    const expect = (name: string, v: Float32Array | undefined, n: number) => {
      if (v?.length !== n) throw new EffnetError('BAD_ARGUMENT', 'resident training state has the wrong size', { field: name, expected: n, actual: v?.length ?? 'nothing' });
    };
    const trainable = this.model.weightDecls.filter((d) => d.trainable).reduce((a, d) => a + d.shape.reduce((x, y) => x * y, 1), 0);
    const frozen = this.model.weightDecls.filter((d) => !d.trainable).reduce((a, d) => a + d.shape.reduce((x, y) => x * y, 1), 0);
    expect('weights', state.weights, trainable);
    expect('statistics', state.statistics, frozen);
    for (const slot of RESIDENT_SLOTS[this.config.optimizer.type]) expect(`slots.${slot}`, state.slots[slot], trainable);
    if (this.config.ema) {
      expect('ema', state.ema, trainable);
      expect('emaStatistics', state.emaStatistics, frozen);
    }
  }

  private loadInto(target: Compiled, state: ResidentState): void {
    const feeds: Record<string, tf.Tensor> = {};
    for (const name of target.graph.vectors.keys()) {
      const named: Record<string, Float32Array | undefined> = { weights: state.weights, statistics: state.statistics, ema: state.ema, emaStatistics: state.emaStatistics };
      const data = name in named ? named[name]! : state.slots[name.slice('slot:'.length)]!;
      feeds[`load:${name}`] = tf.tensor1d(data, 'float32');
    }
    try {
      tf.dispose(target.session.runWith(feeds, ['loaded']));
    } finally {
      tf.dispose(Object.values(feeds));
    }
  }

  private readFrom(source: Compiled): ResidentState {
    const names = [...source.graph.vectors.keys()];
    const values = source.session.runWith({}, names.map((n) => `state:${n}`));
    try {
      const arrays = values.map((t) => (t.dataSync() as Float32Array).slice());
      const state: ResidentState = { weights: new Float32Array(), statistics: new Float32Array(), slots: {} };
      names.forEach((name, i) => {
        if (name === 'weights') state.weights = arrays[i]!;
        else if (name === 'statistics') state.statistics = arrays[i]!;
        else if (name === 'ema') state.ema = arrays[i]!;
        else if (name === 'emaStatistics') state.emaStatistics = arrays[i]!;
        else state.slots[name.slice('slot:'.length)] = arrays[i]!;
      });
      return state;
    } finally {
      tf.dispose(values);
    }
  }

  dispose(): void {
    for (const c of this.sessions.values()) if (!(c instanceof Error)) c.session.dispose();
    this.sessions.clear();
    this.holder = undefined;
  }
}
