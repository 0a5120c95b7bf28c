import { describe, expect, it } from 'vitest';
import { GraphBuilder, encodeSavedModel, type GraphTensor } from './graph-def.js';
import { GraphTape } from './graph-tape.js';

describe('GraphTape', () => {
  it('sums the gradients of a value used twice, skips untracked inputs, and leaves unused targets without one', () => {
    const g = new GraphBuilder();
    const tape = new GraphTape(g);
    const x = g.placeholder('x', [2]);
    const w = g.placeholder('w', [2]);
    const unused = g.placeholder('unused', [2]);
    tape.watch(w);
    tape.watch(unused);
    const mul = (a: GraphTensor, b: GraphTensor) => {
      const y = g.node1('Mul', 'mul', [a, b], { T: { type: 'float32' } }, [2]);
      tape.record([a, b], [y], ([dy]) => [g.node1('Mul', 'mul_grad_a', [dy!, b], {}, [2]), g.node1('Mul', 'mul_grad_b', [dy!, a], {}, [2])]);
      return y;
    };
    const y1 = mul(x, w);
    const y2 = mul(y1, w);
    expect(tape.isTracked(y2)).toBe(true);
    expect(tape.isTracked(x)).toBe(false);
    const seed = g.placeholder('seed', [2]);
    const [dw, dUnused, dx] = tape.gradients(y2, seed, [w, unused, x]);
    expect(dw!.node).toBe('w/grad_sum');
    expect(dUnused).toBeUndefined();
    expect(dx).toBeUndefined();
    // The AddN sums both uses of w.
    const bytes = Buffer.from(encodeSavedModel(g, { inputs: { x, w, seed }, outputs: { dw: dw! } })).toString('latin1');
    expect(bytes).toContain('AddN');
    expect(bytes).toContain('mul_grad_b');
  });

  it('gives nodes unique, TensorFlow-valid names', () => {
    const g = new GraphBuilder();
    const a = g.constant('blocks/0/0/x', [1], [1]);
    const b = g.constant('blocks/0/0/x', [1], [1]);
    const c = g.constant('_bad name!', [1], [1]);
    expect([a.node, b.node, c.node]).toEqual(['blocks/0/0/x', 'blocks/0/0/x_1', 'bad_name_']);
    expect(() => g.constant('n', [1, 2], [3])).toThrow(/needs 3 values, got 2/);
  });
});
