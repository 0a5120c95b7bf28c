import type { GraphBuilder, GraphTensor } from './graph-def.js';
import { tensorRef } from './graph-def.js';

/** The backward step of one recorded op: output gradients in, one gradient (or none) per input out. */
export type BackwardStep = (dys: readonly (GraphTensor | undefined)[]) => (GraphTensor | undefined)[];

interface TapeEntry {
  inputs: readonly GraphTensor[];
  outputs: readonly GraphTensor[];
  backward: BackwardStep;
}

/**
 * Reverse-mode differentiation over a graph being built: each forward op records how to emit its
 * backward nodes; {@link gradients} walks the record backwards from a seed gradient, adding the
 * backward nodes to the same graph. Only values that depend on a trainable input are tracked, so
 * no gradient is computed for the images or for constants.
 */
export class GraphTape {
  private readonly entries: TapeEntry[] = [];
  private readonly tracked = new Set<string>();

  constructor(private readonly graph: GraphBuilder) {}

  /** Marks a value (a trainable weight) as one whose gradient is wanted. */
  watch(t: GraphTensor): void {
    this.tracked.add(tensorRef(t));
  }

  /** Whether a value depends on a watched one. */
  isTracked(t: GraphTensor): boolean {
    return this.tracked.has(tensorRef(t));
  }

  /**
   * Records an op. Its outputs are tracked when an input is; `backward` is asked only for the
   * gradients of tracked inputs (others may be returned as undefined and are ignored).
   */
  record(inputs: readonly GraphTensor[], outputs: readonly GraphTensor[], backward: BackwardStep): void {
    if (!inputs.some((i) => this.isTracked(i))) return;
    for (const o of outputs) this.tracked.add(tensorRef(o));
    this.entries.push({ inputs, outputs, backward });
  }

  /** Gradients of the value seeded with `seed` (d loss / d output) with respect to `targets`. */
  gradients(output: GraphTensor, seed: GraphTensor, targets: readonly GraphTensor[]): (GraphTensor | undefined)[] {
    const pending = new Map<string, GraphTensor[]>([[tensorRef(output), [seed]]]);
    const total = (t: GraphTensor): GraphTensor | undefined => {
      const parts = pending.get(tensorRef(t));
      if (!parts || parts.length === 0) return undefined;
      if (parts.length === 1) return parts[0];
      const sum = this.graph.node1('AddN', `${t.node}/grad_sum`, parts, { N: { int: parts.length }, T: { type: 'float32' } }, t.shape);
      pending.set(tensorRef(t), [sum]);
      return sum;
    };
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i]!;
      const dys = e.outputs.map(total);
      for (const o of e.outputs) pending.delete(tensorRef(o));
      if (dys.every((d) => d === undefined)) continue;
      const dxs = e.backward(dys);
      e.inputs.forEach((input, k) => {
        const dx = dxs[k];
        if (!dx || !this.isTracked(input)) return;
        const key = tensorRef(input);
        const list = pending.get(key);
        if (list) list.push(dx);
        else pending.set(key, [dx]);
      });
    }
    return targets.map(total);
  }
}
