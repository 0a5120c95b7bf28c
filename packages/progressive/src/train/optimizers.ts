import { FieldChecker } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';

/** Which optimizer and its settings. */
export type OptimizerConfig =
  | { type: 'rmsprop'; rho?: number; momentum?: number; epsilon?: number }
  | { type: 'sgd'; momentum?: number; nesterov?: boolean }
  | { type: 'adamw'; beta1?: number; beta2?: number; epsilon?: number };

/** The name of an optimizer type. */
export type OptimizerType = OptimizerConfig['type'];

/**
 * An optimizer over one flat parameter vector. `update` returns the new parameters; the slots
 * (`state`) are flat vectors too, so they checkpoint as they are. L2 weight decay (RMSProp, SGD)
 * is added to the gradient by the trainer; AdamW decays the weights itself (decoupled).
 */
export interface FlatOptimizer {
  readonly config: Required<OptimizerConfig>;
  /** Named slot vectors, e.g. `ms` and `mom`. */
  readonly slots: Map<string, tf.Variable>;
  /** Takes one step: params − f(grad). `decay` is AdamW's per-element weight decay (already × lr). */
  update(params: tf.Tensor1D, grad: tf.Tensor1D, lr: number, step: number, decay?: tf.Tensor1D): tf.Tensor1D;
  dispose(): void;
}

/** Fills in defaults and checks an optimizer config: RMSProp rho 0.9, momentum 0.9, ε 1e-3 (the official setting). */
export function resolveOptimizerConfig(value: unknown = { type: 'rmsprop' }, field = 'optimizer'): Required<OptimizerConfig> {
  const c = new FieldChecker(undefined, 'BAD_TRAINER_OPTION');
  const o = c.object(value, field);
  const type = c.oneOf(o.type ?? 'rmsprop', `${field}.type`, ['rmsprop', 'sgd', 'adamw'] as const);
  const num = (k: string, d: number, rule = { min: 0, max: 1 }) => c.number(o[k] ?? d, `${field}.${k}`, rule);
  if (type === 'rmsprop') {
    c.onlyKeys(o, ['type', 'rho', 'momentum', 'epsilon'], field);
    return { type, rho: num('rho', 0.9), momentum: num('momentum', 0.9), epsilon: num('epsilon', 1e-3, { min: 0, max: 1e9 }) };
  }
  if (type === 'sgd') {
    c.onlyKeys(o, ['type', 'momentum', 'nesterov'], field);
    return { type, momentum: num('momentum', 0.9), nesterov: o.nesterov === undefined ? false : c.boolean(o.nesterov, `${field}.nesterov`) };
  }
  c.onlyKeys(o, ['type', 'beta1', 'beta2', 'epsilon'], field);
  return { type, beta1: num('beta1', 0.9), beta2: num('beta2', 0.999), epsilon: num('epsilon', 1e-8, { min: 0, max: 1e9 }) };
}

function slot(size: number, name: string, fill = 0): tf.Variable {
  return tf.variable(fill === 0 ? tf.zeros([size]) : tf.fill([size], fill), false, `${name}-${Math.random().toString(36).slice(2)}`);
}

/** Creates the optimizer for a parameter vector of `size` elements. */
export function createOptimizer(config: unknown, size: number): FlatOptimizer {
  const cfg = resolveOptimizerConfig(config);
  const slots = new Map<string, tf.Variable>();
  const base = { config: cfg, slots, dispose: () => slots.forEach((v) => v.dispose()) };
  if (cfg.type === 'rmsprop') {
    // TF's RMSProp: ms = ρ·ms + (1−ρ)·g²; mom = μ·mom + lr·g / sqrt(ms + ε); p −= mom. ms starts
    // at 1 as in TF1's RMSPropOptimizer (the official code's); Keras starts it at 0.
    slots.set('ms', slot(size, 'rmsprop-ms', 1));
    slots.set('mom', slot(size, 'rmsprop-mom'));
    return {
      ...base,
      update: (p, g, lr) =>
        tf.tidy(() => {
          const ms = tf.add(tf.mul(slots.get('ms')!, cfg.rho), tf.mul(tf.square(g), 1 - cfg.rho));
          const mom = tf.add(tf.mul(slots.get('mom')!, cfg.momentum), tf.mul(tf.div(g, tf.sqrt(tf.add(ms, cfg.epsilon))), lr));
          slots.get('ms')!.assign(ms);
          slots.get('mom')!.assign(mom);
          return tf.sub(p, mom) as tf.Tensor1D;
        }),
    };
  }
  if (cfg.type === 'sgd') {
    slots.set('velocity', slot(size, 'sgd-velocity'));
    return {
      ...base,
      update: (p, g, lr) =>
        tf.tidy(() => {
          const v = tf.add(tf.mul(slots.get('velocity')!, cfg.momentum), g);
          slots.get('velocity')!.assign(v);
          const direction = cfg.nesterov ? tf.add(g, tf.mul(v, cfg.momentum)) : v;
          return tf.sub(p, tf.mul(direction, lr)) as tf.Tensor1D;
        }),
    };
  }
  slots.set('m', slot(size, 'adamw-m'));
  slots.set('v', slot(size, 'adamw-v'));
  return {
    ...base,
    update: (p, g, lr, step, decay) =>
      tf.tidy(() => {
        const t = step + 1;
        const m = tf.add(tf.mul(slots.get('m')!, cfg.beta1), tf.mul(g, 1 - cfg.beta1));
        const v = tf.add(tf.mul(slots.get('v')!, cfg.beta2), tf.mul(tf.square(g), 1 - cfg.beta2));
        slots.get('m')!.assign(m);
        slots.get('v')!.assign(v);
        const stepSize = (lr * Math.sqrt(1 - cfg.beta2 ** t)) / (1 - cfg.beta1 ** t);
        const moved = tf.sub(p, tf.mul(tf.div(m, tf.add(tf.sqrt(v), cfg.epsilon)), stepSize));
        return (decay ? tf.sub(moved, tf.mul(p, decay)) : moved) as tf.Tensor1D;
      }),
  };
}
