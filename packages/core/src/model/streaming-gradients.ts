import * as tf from '@tensorflow/tfjs-core';

/** One recorded op of TF.js's gradient tape (the fields this module reads). */
interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  saved?: tf.Tensor[];
  gradient?: (dys: (tf.Tensor | null)[]) => Record<string, () => tf.Tensor>;
}

/** The parts of TF.js's engine that recording a tape needs. */
interface TapeEngine {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  startTape(): void;
  endTape(): void;
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  tidy<T extends tf.TensorContainer>(name: string, f: () => T): T;
}

/** What {@link streamingVariableGrads} returns: the value of `f` and a gradient per variable name. */
export interface StreamingGradients {
  value: tf.Scalar;
  grads: tf.NamedTensorMap;
}

function tapeEngine(): TapeEngine | undefined {
  const e = tf.engine() as unknown as Partial<TapeEngine>;
  const ok = e.state !== undefined && typeof e.state.gradientDepth === 'number'
    && typeof e.startTape === 'function' && typeof e.endTape === 'function' && typeof e.scopedRun === 'function';
  return ok ? (e as TapeEngine) : undefined;
}

/**
 * `tf.variableGrads` with a backward pass that frees memory as it goes. TF.js keeps every
 * op's saved tensors and every intermediate gradient until the whole backward pass ends, so a
 * training step needs the activations *plus* all their gradients at once. Here each op's saved
 * tensors and its outputs' gradients are disposed as soon as that op's backward step has used
 * them (every consumer of a tensor runs before its producer in reverse order), so the peak is the
 * activations plus the gradients of one "frontier" of the network. The gradients are the same
 * numbers TF.js computes (same kernels, same order of accumulation).
 *
 * Falls back to `tf.variableGrads` inside another gradient computation (higher-order gradients)
 * or when the TF.js engine does not expose its tape.
 */
export function streamingVariableGrads(f: () => tf.Scalar, varList: tf.Variable[]): StreamingGradients {
  const engine = tapeEngine();
  if (!engine || engine.state.gradientDepth > 0) return tf.variableGrads(f, varList) as StreamingGradients;
  const vars = varList.filter((v) => v.trainable);
  if (vars.length === 0) throw new Error('streamingVariableGrads: no trainable variables in the list');
  return tf.tidy(() => {
    try {
      const y = engine.scopedRun(() => engine.startTape(), () => engine.endTape(), () => engine.tidy('forward', f));
      if (!(y instanceof tf.Tensor) || y.rank !== 0) {
        throw new Error(`streamingVariableGrads: f must return a scalar tensor, got ${y instanceof tf.Tensor ? `shape [${y.shape}]` : typeof y}`);
      }
      const grads = backpropagate(nodesBetween(engine.state.activeTape ?? [], vars, y), y, vars);
      if (grads.every((g) => g === undefined)) {
        throw new Error('Cannot find a connection between any variable and the result of the loss function y=f(x). Please make sure the operations that use variables are inside the function f passed to streamingVariableGrads.');
      }
      const named: tf.NamedTensorMap = {};
      vars.forEach((v, i) => {
        if (grads[i]) named[v.name] = grads[i]!;
      });
      return { value: y as tf.Scalar, grads: named };
    } finally {
      for (const node of engine.state.activeTape ?? []) for (const t of node.saved ?? []) t.dispose();
      engine.state.activeTape = null;
    }
  });
}

/** The id the next tensor will get (tensor ids only grow); Infinity (copy everything) when the engine does not say. */
function nextTensorId(): number {
  const id = (tf.engine().constructor as unknown as { nextTensorId?: unknown }).nextTensorId;
  return typeof id === 'number' ? id : Number.POSITIVE_INFINITY;
}

/** The tape nodes on a path from one of `xs` to `y`, in tape order, with inputs pruned to those that depend on `xs`. */
function nodesBetween(tape: TapeNode[], xs: tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set<number>(xs.map((x) => x.id));
  const nodeFromX = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((t) => fromX.has(t.id))) {
      nodeFromX.add(node.id);
      for (const o of node.outputs) fromX.add(o.id);
    }
  }
  const toY = new Set<number>([y.id]);
  const nodeToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i]!;
    if (node.outputs.some((o) => toY.has(o.id))) {
      nodeToY.add(node.id);
      for (const t of Object.values(node.inputs)) toY.add(t.id);
    }
  }
  const out: TapeNode[] = [];
  for (const node of tape) {
    if (!nodeFromX.has(node.id) || !nodeToY.has(node.id)) continue;
    const inputs: Record<string, tf.Tensor> = {};
    for (const [name, t] of Object.entries(node.inputs)) if (fromX.has(t.id)) inputs[name] = t;
    out.push({ ...node, inputs });
  }
  return out;
}

/** Reverse-mode pass over `nodes`, releasing each node's saved tensors and output gradients once used. */
function backpropagate(nodes: TapeNode[], y: tf.Tensor, xs: tf.Tensor[]): (tf.Tensor | undefined)[] {
  const keep = new Set<number>(xs.map((x) => x.id));
  const accumulated = new Map<number, tf.Tensor>([[y.id, tf.onesLike(y)]]);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i]!;
    if (!node.gradient) throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
    const dys = node.outputs.map((o) => accumulated.get(o.id) ?? null);
    const names = Object.keys(node.inputs);
    const firstNewId = nextTensorId();
    // One scope per node: zeros for unused outputs and the gradient functions' temporaries go at once.
    const dxs = tf.tidy(() => {
      const thunks = node.gradient!(dys);
      return names.map((name) => {
        const thunk = thunks[name];
        if (!thunk) throw new Error(`Cannot backprop through input ${name} of ${node.kernelName}. Available gradients: ${Object.keys(thunks).join(', ')}.`);
        return thunk();
      });
    });
    names.forEach((name, k) => {
      const x = node.inputs[name]!;
      let dx = dxs[k]!;
      // A gradient function may hand back a tensor it did not make (an output gradient, a saved
      // tensor) or one tensor for two inputs: own a copy, since those are disposed along the way.
      if (dx.id < firstNewId || dxs.indexOf(dx) !== k) dx = tf.clone(dx);
      if (dx.dtype !== 'float32') throw new Error(`The gradient of input ${name} of ${node.kernelName} must be float32, got ${dx.dtype}`);
      if (!tf.util.arraysEqual(dx.shape, x.shape)) throw new Error(`The gradient of input ${name} of ${node.kernelName} has shape [${dx.shape}], expected [${x.shape}]`);
      const previous = accumulated.get(x.id);
      if (previous) {
        accumulated.set(x.id, tf.add(previous, dx));
        previous.dispose();
        dx.dispose();
      } else accumulated.set(x.id, dx);
    });
    // Every consumer of this node's outputs came later on the tape and has run: their gradients are spent.
    for (const o of node.outputs) {
      if (keep.has(o.id)) continue;
      accumulated.get(o.id)?.dispose();
      accumulated.delete(o.id);
    }
    for (const t of node.saved ?? []) t.dispose();
  }
  return xs.map((x) => accumulated.get(x.id));
}
