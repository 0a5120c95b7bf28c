import * as tf from '@tensorflow/tfjs-core';
import { EffnetError } from '../errors.js';
import { EffNetModel } from '../model/effnet-model.js';
import type { ArchitectureSpec } from '../spec/architecture.js';
import { FieldChecker } from '../spec/field-checker.js';
import { validateArchitectureSpec } from '../spec/validate-spec.js';
import { declareWeights } from '../model/describe.js';
import { checkBlockTypes, planNetwork } from '../model/network-plan.js';
import { checkWeightValues } from './weight-values.js';
import { FolderHandler, folderFromUrl } from './file-handler.js';

/** Value of `format` in a saved model's `model.json`. */
export const MODEL_FORMAT = 'effnet';
/** Version of the saved topology layout. */
export const MODEL_FORMAT_VERSION = 1;

/** What a saved model's `modelTopology` holds: everything needed to rebuild it. */
export interface SavedTopology {
  format: typeof MODEL_FORMAT;
  formatVersion: number;
  /** The resolved architecture, preprocessing included. */
  architecture: ArchitectureSpec;
  /** Class names, when known. */
  labels?: string[];
  /** Where the weights came from (e.g. a converted checkpoint), free-form. */
  source?: Record<string, unknown>;
}

/** Extra information to store with a model. */
export interface SaveOptions {
  source?: Record<string, unknown>;
}

/** Where a model is saved to or loaded from: a folder path, a URL with a TF.js scheme, or a handler. */
export type ModelLocation = string | tf.io.IOHandler;

function isNode(): boolean {
  return typeof process !== 'undefined' && !!process.versions?.node;
}

function handlerFor(location: ModelLocation, purpose: 'save' | 'load'): { handler: tf.io.IOHandler; name: string } {
  if (typeof location !== 'string') return { handler: location, name: 'handler' };
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(location);
  if (location.startsWith('file://') || (!hasScheme && isNode())) {
    return { handler: new FolderHandler(folderFromUrl(location)), name: folderFromUrl(location) };
  }
  const handlers = purpose === 'save' ? tf.io.getSaveHandlers(location) : tf.io.getLoadHandlers(location);
  const handler = handlers[0];
  if (!handler) {
    throw new EffnetError('NO_IO_HANDLER', `no TF.js IO handler can ${purpose} this location (use a folder path in Node, or http(s)://, indexeddb://, localstorage://, downloads://)`, { file: location });
  }
  return { handler, name: location };
}

/** The TF.js model artifacts of a model (topology + weights in model order). */
export function modelToArtifacts(model: EffNetModel, options: SaveOptions = {}): Promise<tf.io.ModelArtifacts> {
  const topology: SavedTopology = { format: MODEL_FORMAT, formatVersion: MODEL_FORMAT_VERSION, architecture: model.spec };
  if (model.labels) topology.labels = model.labels;
  if (options.source) topology.source = options.source;
  const named = model.weightDecls.map((d) => ({ name: d.name, tensor: model.weights.get(d.name)! }));
  return tf.io.encodeWeights(named).then(({ data, specs }) => ({
    modelTopology: topology as unknown as object,
    format: MODEL_FORMAT,
    generatedBy: '@effnet/core',
    convertedBy: null,
    weightSpecs: specs,
    weightData: data,
  }));
}

/** The first NaN or infinite value in float32 weight data, with the weight that holds it. */
function firstNonFinite(data: ArrayBuffer | ArrayBuffer[], specs: tf.io.WeightsManifestEntry[]): { name: string; index: number; value: number } | undefined {
  const parts = Array.isArray(data) ? data : [data];
  let offset = 0;
  let spec = 0;
  let specEnd = specs.length ? specs[0]!.shape.reduce((a, b) => a * b, 1) : 0;
  for (const part of parts) {
    const values = new Float32Array(part, 0, Math.floor(part.byteLength / 4));
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v - v !== 0) {
        const at = offset + i;
        while (spec < specs.length - 1 && at >= specEnd) specEnd += specs[++spec]!.shape.reduce((a, b) => a * b, 1);
        return { name: specs[spec]?.name ?? '?', index: at - (specEnd - specs[spec]!.shape.reduce((a, b) => a * b, 1)), value: v };
      }
    }
    offset += values.length;
  }
  return undefined;
}

/**
 * Checks a manifest against the weights the architecture declares, before anything is
 * allocated: every weight listed once, none missing, none extra, each with its declared shape.
 */
function checkManifest(c: FieldChecker, specs: tf.io.WeightsManifestEntry[], spec: ArchitectureSpec): void {
  const listed = new Map<string, tf.io.WeightsManifestEntry>();
  for (const s of specs) {
    if (listed.has(s.name)) c.fail(`weightsManifest: ${s.name}`, 'is listed twice', 'each weight once', 'twice');
    listed.set(s.name, s);
  }
  const decls = declareWeights(planNetwork(spec));
  for (const d of decls) {
    const s = listed.get(d.name);
    if (!s) c.fail(`weightsManifest: ${d.name}`, 'is missing', d.shape, 'nothing');
    if (s.shape.join() !== d.shape.join()) c.fail(`weightsManifest: ${d.name}`, 'has a shape that does not fit the architecture', d.shape, s.shape);
    listed.delete(d.name);
  }
  const [extra] = listed.values();
  if (extra) c.fail(`weightsManifest: ${extra.name}`, 'is not a weight of this architecture', 'no such weight', extra.shape);
}

/**
 * Rebuilds a model from TF.js model artifacts; errors name `file`. The manifest is checked
 * against the architecture, and the weights for NaN, infinities and negative BatchNorm
 * variances, before the model is built.
 */
export function modelFromArtifacts(artifacts: tf.io.ModelArtifacts, file = 'model.json'): EffNetModel {
  const c = new FieldChecker(file, 'NOT_A_MODEL');
  const topo = c.object(artifacts.modelTopology, 'modelTopology');
  if (topo.format !== MODEL_FORMAT) c.fail('modelTopology.format', 'is not an effnet model', MODEL_FORMAT, topo.format ?? 'nothing');
  const version = c.int(topo.formatVersion, 'modelTopology.formatVersion', { min: 1 });
  if (version > MODEL_FORMAT_VERSION) c.fail('modelTopology.formatVersion', 'is newer than this @effnet/core understands; upgrade it', `<= ${MODEL_FORMAT_VERSION}`, version);
  const spec = validateArchitectureSpec(topo.architecture, file);
  checkBlockTypes(spec, file);
  let labels: string[] | undefined;
  if (topo.labels !== undefined) labels = c.array(topo.labels, 'modelTopology.labels').map((l, i) => c.string(l, `modelTopology.labels[${i}]`));
  if (labels && spec.numClasses > 0 && labels.length !== spec.numClasses) c.fail('modelTopology.labels', 'must hold one label per class', spec.numClasses, labels.length);
  if (!artifacts.weightSpecs || artifacts.weightData === undefined) c.fail('weightsManifest', 'holds no weights', 'weights', 'nothing');
  const expectedBytes = artifacts.weightSpecs!.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * 4, 0);
  const data = artifacts.weightData!;
  const actualBytes = Array.isArray(data) ? data.reduce((n, b) => n + b.byteLength, 0) : data.byteLength;
  if (artifacts.weightSpecs!.some((s) => s.dtype !== 'float32')) {
    const bad = artifacts.weightSpecs!.find((s) => s.dtype !== 'float32')!;
    c.fail(`weightsManifest: ${bad.name}`, 'must be float32', 'float32', bad.dtype);
  }
  checkManifest(c, artifacts.weightSpecs!, spec);
  if (expectedBytes !== actualBytes) c.fail('weights', 'shards do not hold the bytes the manifest lists (truncated?)', `${expectedBytes} bytes`, `${actualBytes} bytes`);
  const bad = firstNonFinite(data, artifacts.weightSpecs!);
  if (bad) c.fail(`weights: ${bad.name}`, 'holds a value that is not a finite number', 'finite float32 values', `${bad.value} at element ${bad.index}`);
  const options: { initialize: false; labels?: string[] } = { initialize: false };
  if (labels) options.labels = labels;
  const model = new EffNetModel(spec, options);
  const values = tf.io.decodeWeights(data, artifacts.weightSpecs!);
  try {
    for (const d of model.weightDecls) {
      if (d.kind === 'bn_moving_variance') checkWeightValues(values[d.name]!.dataSync(), d.kind, file, `weights: ${d.name}`);
    }
    model.setWeights(new Map(Object.entries(values)), { source: file });
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    for (const t of Object.values(values)) t.dispose();
  }
  return model;
}

/**
 * Saves a model in the TF.js format (`model.json` + weight shards), with its architecture, input
 * preprocessing and labels, so that {@link loadModel} needs nothing else. In Node a plain path or
 * `file://` URL writes a folder atomically; other URLs use TF.js's handlers (http(s)://,
 * indexeddb://, localstorage://, downloads://).
 */
export async function saveModel(model: EffNetModel, location: ModelLocation, options: SaveOptions = {}): Promise<tf.io.SaveResult> {
  const { handler, name } = handlerFor(location, 'save');
  if (!handler.save) throw new EffnetError('NO_IO_HANDLER', 'this IO handler cannot save', { file: name });
  return handler.save(await modelToArtifacts(model, options));
}

/** Loads a model saved by {@link saveModel}. Block types it uses must be registered. */
export async function loadModel(location: ModelLocation): Promise<EffNetModel> {
  const { handler, name } = handlerFor(location, 'load');
  if (!handler.load) throw new EffnetError('NO_IO_HANDLER', 'this IO handler cannot load', { file: name });
  const artifacts = await handler.load();
  return modelFromArtifacts(artifacts, typeof location === 'string' ? `${name.replace(/\/$/, '')}/model.json` : name);
}
