import { ProtoWriter } from './protobuf-writer.js';

/** Element types the graphs use. */
export type GraphDType = 'float32' | 'int32' | 'bool' | 'resource';

/** TensorFlow's DataType enum values. */
const DATA_TYPE: Record<GraphDType, number> = { float32: 1, int32: 3, bool: 10, resource: 20 };

/** The graph-def version the graphs declare (any TensorFlow 2.x since 2.8 reads it). */
export const GRAPH_PRODUCER_VERSION = 1000;

/** One output of a graph node, with its static shape (-1 for an unknown size). */
export interface GraphTensor {
  readonly node: string;
  readonly index: number;
  readonly shape: readonly number[];
  readonly dtype: GraphDType;
}

/** A node attribute value, as TensorFlow's AttrValue. */
export type AttrValue =
  | { type: GraphDType }
  | { int: number }
  | { float: number }
  | { bool: boolean }
  | { string: string }
  | { ints: readonly number[] }
  | { strings: readonly string[] }
  | { types: readonly GraphDType[] }
  | { shape: readonly number[] }
  | { tensor: ConstantValue };

/** A constant's contents. */
export interface ConstantValue {
  dtype: GraphDType;
  shape: readonly number[];
  values: Float32Array | Int32Array;
}

interface NodeRecord {
  name: string;
  op: string;
  inputs: string[];
  attrs: Record<string, AttrValue>;
}

/** The name by which other nodes refer to a tensor (`node` for output 0, `node:i` otherwise). */
export function tensorRef(t: GraphTensor): string {
  return t.index === 0 ? t.node : `${t.node}:${t.index}`;
}

/** The name a session feeds or fetches (`node:i`). */
export function tensorName(t: GraphTensor): string {
  return `${t.node}:${t.index}`;
}

function writeShape(w: ProtoWriter, shape: readonly number[]): void {
  // proto3 leaves a zero size out; -1 is an unknown size.
  for (const d of shape) w.message(2, (dim) => (d === 0 ? undefined : dim.int(1, d)));
}

function writeTensor(w: ProtoWriter, c: ConstantValue): void {
  w.int(1, DATA_TYPE[c.dtype]);
  w.message(2, (s) => writeShape(s, c.shape));
  w.bytes(4, new Uint8Array(c.values.buffer, c.values.byteOffset, c.values.byteLength));
}

function writeAttr(w: ProtoWriter, v: AttrValue): void {
  if ('type' in v) w.int(6, DATA_TYPE[v.type]);
  else if ('int' in v) w.int(3, v.int);
  else if ('float' in v) w.float(4, v.float);
  else if ('bool' in v) w.int(5, v.bool);
  else if ('string' in v) w.string(2, v.string);
  else if ('ints' in v) w.message(1, (l) => l.packedInts(3, v.ints));
  else if ('types' in v) w.message(1, (l) => l.packedInts(6, v.types.map((t) => DATA_TYPE[t])));
  else if ('strings' in v) w.message(1, (l) => v.strings.forEach((x) => l.string(2, x)));
  else if ('shape' in v) w.message(7, (s) => writeShape(s, v.shape));
  else w.message(8, (t) => writeTensor(t, v.tensor));
}

/**
 * Builds a TensorFlow GraphDef node by node. Node names are made unique (a suffix is added on a
 * clash), so layer names can name nodes and a reader of the graph sees the model's structure.
 */
export class GraphBuilder {
  private readonly nodes: NodeRecord[] = [];
  private readonly used = new Set<string>();

  /** Nodes added so far. */
  get nodeCount(): number {
    return this.nodes.length;
  }

  private unique(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9_.\-/]/g, '_').replace(/^[^A-Za-z0-9.]+/, '') || 'node';
    if (!this.used.has(clean)) {
      this.used.add(clean);
      return clean;
    }
    for (let i = 1; ; i++) {
      const candidate = `${clean}_${i}`;
      if (!this.used.has(candidate)) {
        this.used.add(candidate);
        return candidate;
      }
    }
  }

  /**
   * Adds a node; `outputs` gives the static shape and type of each output, which later nodes
   * use to decide their own attributes.
   */
  node(
    op: string,
    name: string,
    inputs: readonly GraphTensor[],
    attrs: Record<string, AttrValue>,
    outputs: readonly { shape: readonly number[]; dtype: GraphDType }[],
    after: readonly string[] = [],
  ): GraphTensor[] {
    const unique = this.unique(name);
    this.nodes.push({ name: unique, op, inputs: [...inputs.map(tensorRef), ...after.map((n) => `^${n}`)], attrs });
    return outputs.map((o, index) => ({ node: unique, index, shape: [...o.shape], dtype: o.dtype }));
  }

  /** A node with one output of the given shape and type. */
  node1(op: string, name: string, inputs: readonly GraphTensor[], attrs: Record<string, AttrValue>, shape: readonly number[], dtype: GraphDType = 'float32'): GraphTensor {
    return this.node(op, name, inputs, attrs, [{ shape, dtype }])[0]!;
  }

  /**
   * A node without outputs (such as a variable assignment) that runs only after the nodes named in
   * `after`; returns its name, for other nodes' `after`.
   */
  action(op: string, name: string, inputs: readonly GraphTensor[], attrs: Record<string, AttrValue>, after: readonly string[] = []): string {
    this.node(op, name, inputs, attrs, [], after);
    return this.nodes[this.nodes.length - 1]!.name;
  }

  /** An `Identity` of `t` computed only after the nodes named in `after` have run. */
  identityAfter(name: string, t: GraphTensor, after: readonly string[]): GraphTensor {
    return this.node('Identity', name, [t], { T: { type: t.dtype } }, [{ shape: t.shape, dtype: t.dtype }], after)[0]!;
  }

  /** A value fed at run time. */
  placeholder(name: string, shape: readonly number[], dtype: GraphDType = 'float32'): GraphTensor {
    return this.node1('Placeholder', name, [], { dtype: { type: dtype }, shape: { shape } }, shape, dtype);
  }

  /** A constant. */
  constant(name: string, values: Float32Array | Int32Array | readonly number[], shape: readonly number[], dtype: GraphDType = 'float32'): GraphTensor {
    const data = values instanceof Float32Array || values instanceof Int32Array ? values : dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values);
    const count = shape.reduce((a, b) => a * b, 1);
    if (count !== data.length) throw new Error(`constant "${name}" of shape [${shape}] needs ${count} values, got ${data.length}`);
    return this.node1('Const', name, [], { dtype: { type: dtype }, value: { tensor: { dtype, shape, values: data } } }, shape, dtype);
  }

  /** The GraphDef message. */
  encode(): Uint8Array {
    const w = new ProtoWriter();
    for (const n of this.nodes) {
      w.message(1, (nw) => {
        nw.string(1, n.name).string(2, n.op);
        for (const i of n.inputs) nw.string(3, i);
        for (const key of Object.keys(n.attrs).sort()) nw.mapEntry(5, key, (a) => writeAttr(a, n.attrs[key]!));
      });
    }
    w.message(4, (v) => v.int(1, GRAPH_PRODUCER_VERSION));
    return w.finish();
  }
}

/** The inputs and outputs a session of the graph feeds and fetches, by key. */
export interface GraphSignature {
  inputs: Record<string, GraphTensor>;
  outputs: Record<string, GraphTensor>;
}

/**
 * A SavedModel (`saved_model.pb`) holding one meta-graph tagged `serve` with the graph and one
 * signature, `serving_default`. The graph has no variables: its weights are constants or inputs.
 */
export function encodeSavedModel(graph: GraphBuilder, signature: GraphSignature): Uint8Array {
  const info = (w: ProtoWriter, t: GraphTensor) => {
    w.string(1, tensorName(t)).int(2, DATA_TYPE[t.dtype]);
    w.message(3, (s) => writeShape(s, t.shape));
  };
  const graphDef = graph.encode();
  const w = new ProtoWriter();
  w.int(1, 1);
  w.message(2, (meta) => {
    meta.message(1, (mi) => mi.string(1, 'effnet').string(4, 'serve').int(7, true));
    meta.bytes(2, graphDef);
    meta.mapEntry(5, 'serving_default', (sig) => {
      for (const key of Object.keys(signature.inputs).sort()) sig.mapEntry(1, key, (i) => info(i, signature.inputs[key]!));
      for (const key of Object.keys(signature.outputs).sort()) sig.mapEntry(2, key, (i) => info(i, signature.outputs[key]!));
      sig.string(3, 'tensorflow/serving/predict');
    });
  });
  return w.finish();
}
