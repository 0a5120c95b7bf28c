import * as tf from '@tensorflow/tfjs-core';
import { EffnetError } from '@effnet/core';
import { encodeSavedModel, tensorName, type GraphBuilder, type GraphSignature } from './graph-def.js';

/** What tfjs-node's kernel backend offers for SavedModels (its `tensorflow` backend, 4.x). */
interface NodeSavedModelBackend {
  loadSavedModelMetaGraph(path: string, tags: string): number;
  runSavedModel(id: number, inputs: tf.Tensor[], inputInfos: { name: string; tfDtype: string }[], outputNames: string[]): tf.Tensor[];
  deleteSavedModel(id: number): void;
}

type NodeModules = { fs: typeof import('node:fs'); os: typeof import('node:os'); path: typeof import('node:path') };

function nodeModules(): NodeModules {
  const get = (globalThis as { process?: { getBuiltinModule?: (m: string) => unknown } }).process?.getBuiltinModule;
  if (!get) throw new EffnetError('BACKEND_UNAVAILABLE', 'TensorFlow graphs run only in Node >= 20.16 (process.getBuiltinModule is missing)');
  return { fs: get('node:fs') as NodeModules['fs'], os: get('node:os') as NodeModules['os'], path: get('node:path') as NodeModules['path'] };
}

/** The active backend when it can run TensorFlow graphs (tfjs-node), else undefined. */
export function savedModelBackend(): NodeSavedModelBackend | undefined {
  if (tf.getBackend() !== 'tensorflow') return undefined;
  const b = tf.backend() as unknown as Partial<NodeSavedModelBackend>;
  return typeof b.loadSavedModelMetaGraph === 'function' && typeof b.runSavedModel === 'function' ? (b as NodeSavedModelBackend) : undefined;
}

/**
 * A TensorFlow session running one whole graph: the graph is written as a SavedModel to a
 * temporary folder, loaded by tfjs-node's native TensorFlow (which optimises it once: constant
 * folding, BatchNorm folding, conv + bias + activation fusion) and the folder removed. Each
 * {@link run} is one native call, instead of one call per op.
 */
export class TensorFlowSession {
  private id: number | undefined;
  private readonly backend: NodeSavedModelBackend;
  private readonly inputInfos: Map<string, { name: string; tfDtype: string }>;

  constructor(graph: GraphBuilder, private readonly signature: GraphSignature) {
    const backend = savedModelBackend();
    if (!backend) throw new EffnetError('BACKEND_UNAVAILABLE', `TensorFlow graphs need the tfjs-node backend (active: ${tf.getBackend()})`);
    this.backend = backend;
    this.inputInfos = new Map(Object.entries(signature.inputs).map(([k, t]) => [k, { name: tensorName(t), tfDtype: t.dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT' }]));
    const { fs, os, path } = nodeModules();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'effnet-graph-'));
    try {
      fs.writeFileSync(path.join(dir, 'saved_model.pb'), encodeSavedModel(graph, signature));
      this.id = backend.loadSavedModelMetaGraph(dir, 'serve');
    } catch (e) {
      throw new EffnetError('GRAPH_LOAD_FAILED', `TensorFlow rejected the compiled graph: ${(e as Error).message.split('\n')[0]}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Runs the graph once: feeds every signature input (by key) and returns the outputs asked for, in order. */
  run(feeds: Record<string, tf.Tensor>, fetch: readonly string[]): tf.Tensor[] {
    if (this.id === undefined) throw new EffnetError('DISPOSED', 'this TensorFlow session was disposed');
    const inputs: tf.Tensor[] = [];
    const infos: { name: string; tfDtype: string }[] = [];
    for (const [key, info] of this.inputInfos) {
      const t = feeds[key];
      if (!t) throw new EffnetError('MISSING_INPUT', 'the graph needs this input', { field: key, expected: this.signature.inputs[key]!.shape, actual: 'nothing' });
      inputs.push(t);
      infos.push(info);
    }
    return this.call(inputs, infos, fetch);
  }

  /**
   * Runs the graph feeding only the inputs given (each must be in the signature; the outputs asked
   * for must not depend on the others), for graphs with several entry points such as resident
   * training's load, step and read.
   */
  runWith(feeds: Record<string, tf.Tensor>, fetch: readonly string[]): tf.Tensor[] {
    if (this.id === undefined) throw new EffnetError('DISPOSED', 'this TensorFlow session was disposed');
    const inputs: tf.Tensor[] = [];
    const infos: { name: string; tfDtype: string }[] = [];
    for (const [key, t] of Object.entries(feeds)) {
      const info = this.inputInfos.get(key);
      if (!info) throw new EffnetError('UNKNOWN_INPUT', 'the graph has no such input', { field: key });
      inputs.push(t);
      infos.push(info);
    }
    return this.call(inputs, infos, fetch);
  }

  private call(inputs: tf.Tensor[], infos: { name: string; tfDtype: string }[], fetch: readonly string[]): tf.Tensor[] {
    const outputs = fetch.map((key) => {
      const t = this.signature.outputs[key];
      if (!t) throw new EffnetError('UNKNOWN_OUTPUT', 'the graph has no such output', { field: key });
      return tensorName(t);
    });
    try {
      return this.backend.runSavedModel(this.id!, inputs, infos, outputs);
    } catch (e) {
      const message = (e as Error).message.replace(/^Session fail to run with error: /, '').split('\n')[0]!;
      const hint = /OOM|out of memory|Allocat/i.test(message) ? ' (out of memory: lower the batch size, or use micro-batches)' : '';
      throw new EffnetError('GRAPH_RUN_FAILED', `TensorFlow could not run the compiled graph${hint}: ${message}`);
    }
  }

  /** Frees the native session. */
  dispose(): void {
    if (this.id === undefined) return;
    this.backend.deleteSavedModel(this.id);
    this.id = undefined;
  }
}
