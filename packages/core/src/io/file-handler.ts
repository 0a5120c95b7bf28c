import type * as tf from '@tensorflow/tfjs-core';
import { EffnetError } from '../errors.js';
import { FieldChecker } from '../spec/field-checker.js';
import { nodeFs, processAlive, writeDirAtomic, writeFileAtomic } from './node-fs.js';

/** Shard size of weight files, as TF.js's converter writes them. */
export const SHARD_BYTES = 4 * 1024 * 1024;

/** A folder path from a `file://` URL or a plain path. */
export function folderFromUrl(url: string): string {
  return url.startsWith('file://') ? url.slice('file://'.length) : url;
}

function concat(parts: ArrayBuffer[]): ArrayBuffer {
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p), o);
    o += p.byteLength;
  }
  return out.buffer;
}

/** Data types a weight in a saved model may have. */
const WEIGHT_DTYPES = new Set(['float32', 'int32', 'bool', 'string', 'complex64']);
/** Bytes per element of the fixed-size data types. */
const DTYPE_BYTES: Record<string, number | undefined> = { float32: 4, int32: 4, bool: 1, complex64: 8 };

/** One entry of a manifest's `weights`, checked: a name, a shape of whole numbers >= 0 and a dtype. */
function checkWeightSpec(c: FieldChecker, value: unknown, field: string): tf.io.WeightsManifestEntry {
  const w = c.object(value, field);
  const name = c.string(w.name, `${field}.name`);
  const shape = c.array(w.shape, `${field}.shape`).map((d, i) => c.int(d, `${field}.shape[${i}]`, { min: 0, max: 2 ** 31 - 1 }));
  const dtype = c.string(w.dtype, `${field}.dtype`);
  if (!WEIGHT_DTYPES.has(dtype)) c.fail(`${field}.dtype`, 'is not a TF.js data type', [...WEIGHT_DTYPES].join(' | '), dtype);
  if (w.quantization !== undefined) c.fail(`${field}.quantization`, 'quantized weights are not supported', 'no quantization', w.quantization);
  return { name, shape, dtype: dtype as tf.io.WeightsManifestEntry['dtype'] };
}

/**
 * The file a manifest's shard path names, refused unless it is a plain relative path that stays
 * inside the model folder, also after symbolic links are followed (a model must not read the
 * files beside it).
 */
async function shardInside(
  c: FieldChecker,
  root: string,
  p: string,
  field: string,
  path: typeof import('node:path'),
  fs: typeof import('node:fs/promises'),
): Promise<string> {
  const escapes = (target: string) => target !== root && !target.startsWith(root + path.sep);
  if (path.isAbsolute(p) || p.includes('\\') || p.split('/').some((part) => part === '..' || part === '') || p.includes('\0')) {
    c.fail(field, 'must be a file name inside the model folder', 'a relative path without ..', p);
  }
  const shard = path.join(root, p);
  if (escapes(shard)) c.fail(field, 'points outside the model folder', 'a file inside the model folder', p);
  const real = await fs.realpath(shard).catch(() => shard);
  if (escapes(real)) c.fail(field, 'is a link that points outside the model folder', 'a file inside the model folder', p);
  return real;
}

/**
 * Field of `model.json` holding the SHA-256 (hex) of all weight bytes, shards in order. Loading
 * verifies it, so weights read from one save are never paired with another save's `model.json`.
 */
export const WEIGHTS_DIGEST_FIELD = 'weightsSha256';

/** A read failure that a concurrent replacement of the folder can cause (a file gone, weights of another save). */
class ChangedWhileRead extends EffnetError {
  constructor(message: string, details: ConstructorParameters<typeof EffnetError>[2]) {
    super('NOT_A_MODEL', message, details);
  }
}
/** Longest wait for a writer that is replacing the folder. */
const WRITER_WAIT_MS = 30_000;

/** SHA-256 of the bytes of `parts` in order, as hex. */
async function sha256Hex(...parts: Uint8Array[]): Promise<string> {
  const { createHash } = await import('node:crypto');
  const hash = createHash('sha256');
  for (const p of parts) hash.update(p);
  return hash.digest('hex');
}

/** True while a live process is replacing `folder` (its temporary or previous folder is beside it). */
async function writerActive(folder: string): Promise<boolean> {
  const { fs, path } = await nodeFs();
  const target = path.resolve(folder);
  const prefix = `.${path.basename(target)}.`;
  const entries = await fs.readdir(path.dirname(target)).catch(() => [] as string[]);
  return entries.some((entry) => {
    if (!entry.startsWith(prefix)) return false;
    const m = /^(tmp|old)-([0-9]+)-[a-z0-9]+$/.exec(entry.slice(prefix.length));
    return !!m && processAlive(Number(m[2]));
  });
}

/**
 * A TF.js IO handler for a folder on disk (Node): `model.json` plus `group1-shardKofN.bin`
 * weight shards, the layout of `tfjs-node`'s `file://` handler. Loading checks the manifest
 * (shard paths stay inside the folder, each listed once, regular files, no more bytes than the
 * weights need) before it reads a shard. Saving writes a fresh folder
 * and renames it into place, so an interrupted save leaves the previous model intact.
 */
export class FolderHandler implements tf.io.IOHandler {
  constructor(readonly folder: string) {}

  async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
    const { fs, path } = await nodeFs();
    const data = artifacts.weightData === undefined ? new ArrayBuffer(0) : Array.isArray(artifacts.weightData) ? concat(artifacts.weightData) : artifacts.weightData;
    const bytes = new Uint8Array(data);
    const shards = Math.max(1, Math.ceil(bytes.length / SHARD_BYTES));
    const paths = Array.from({ length: shards }, (_, i) => `group1-shard${i + 1}of${shards}.bin`);
    const modelJson = {
      modelTopology: artifacts.modelTopology as object,
      weightsManifest: [{ paths, weights: artifacts.weightSpecs ?? [] }],
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy ?? null,
      [WEIGHTS_DIGEST_FIELD]: await sha256Hex(bytes),
    } as tf.io.ModelJSON;
    if (artifacts.userDefinedMetadata) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
    await writeDirAtomic(
      this.folder,
      async (tmp) => {
        for (let i = 0; i < shards; i++) {
          await fs.writeFile(path.join(tmp, paths[i]!), bytes.subarray(i * SHARD_BYTES, (i + 1) * SHARD_BYTES));
        }
        await fs.writeFile(path.join(tmp, 'model.json'), JSON.stringify(modelJson, null, 1));
      },
      async (dir) => {
        const entries = await fs.readdir(dir);
        return entries.length === 0 || entries.includes('model.json');
      },
    );
    return {
      modelArtifactsInfo: {
        dateSaved: new Date(),
        modelTopologyType: 'JSON',
        weightDataBytes: bytes.length,
      },
    };
  }

  /**
   * Reads the folder. When the weights do not match `model.json`'s digest, or a file goes
   * missing, because another process is replacing the folder (the failure changes from one read
   * to the next, or the writer's temporary or previous folder sits beside it), the whole read
   * starts again, so a reader gets the old model or the new one, never a mix of both.
   */
  async load(): Promise<tf.io.ModelArtifacts> {
    const started = Date.now();
    let previous: string | undefined;
    for (let attempt = 0; ; attempt++) {
      const before = await this.identity();
      try {
        return await this.readOnce();
      } catch (e) {
        if (!(e instanceof ChangedWhileRead)) throw e;
        // A folder that fails the same way twice, unchanged and with no writer beside it, is
        // broken, not changing.
        const changing = e.message !== previous || before !== (await this.identity()) || (await writerActive(this.folder));
        if (!changing || Date.now() - started > WRITER_WAIT_MS) throw e;
        previous = e.message;
        // A random pause, so a reader does not fall into step with a writer that saves on a beat.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(5 * 2 ** attempt, 100)));
      }
    }
  }

  /** Which `model.json` the folder holds now (inode and modification time), or `missing`. */
  private async identity(): Promise<string> {
    const { fs, path } = await nodeFs();
    return fs.stat(path.join(this.folder, 'model.json')).then((st) => `${st.ino}:${st.mtimeMs}`, () => 'missing');
  }

  private async readOnce(): Promise<tf.io.ModelArtifacts> {
    const { fs, path } = await nodeFs();
    const { constants } = await import('node:fs');
    // Files are opened before they are read, and opened without blocking (a pipe named like a
    // shard must not hang the reader): once open, a file keeps its bytes even when a writer
    // replaces the folder, so the race with a writer is only as long as the opening.
    const openFile = (name: string) => fs.open(name, constants.O_RDONLY | constants.O_NONBLOCK);
    const handles: import('node:fs/promises').FileHandle[] = [];
    try {
      const file = path.join(this.folder, 'model.json');
      let text: string;
      try {
        const handle = await openFile(file);
        handles.push(handle);
        if (!(await handle.stat()).isFile()) throw new EffnetError('NOT_A_MODEL', 'is not a regular file', { file, expected: 'a file', actual: 'a folder, device or pipe' });
        text = await handle.readFile('utf8');
      } catch (e) {
        if (e instanceof EffnetError) throw e;
        if ((e as NodeJS.ErrnoException).code === 'EISDIR') throw new EffnetError('NOT_A_MODEL', 'is not a regular file', { file, expected: 'a file', actual: 'a folder' });
        const kind = await fs.stat(this.folder).then((s) => (s.isDirectory() ? 'folder' : 'file'), () => 'missing');
        const message = kind === 'folder' ? 'has no model.json (not a saved model folder)' : kind === 'file' ? 'is a file, not a saved model folder (model.json and weight shards)' : 'does not exist';
        throw kind === 'file' ? new EffnetError('NOT_A_MODEL', message, { file: this.folder }) : new ChangedWhileRead(message, { file: this.folder });
      }
      let json: tf.io.ModelJSON;
      try {
        json = JSON.parse(text) as tf.io.ModelJSON;
      } catch (e) {
        throw new EffnetError('NOT_A_MODEL', `is not valid JSON: ${(e as Error).message}`, { file });
      }
      if (!json || typeof json !== 'object' || !Array.isArray(json.weightsManifest)) {
        throw new EffnetError('NOT_A_MODEL', 'has no weightsManifest', { file, field: 'weightsManifest', expected: 'an array', actual: typeof json?.weightsManifest });
      }
      const c = new FieldChecker(file, 'NOT_A_MODEL');
      const root = await fs.realpath(this.folder).catch(() => Promise.reject(new ChangedWhileRead('does not exist', { file: this.folder })));
      const specs: tf.io.WeightsManifestEntry[] = [];
      const listedShards: { file: string; field: string }[] = [];
      const seen = new Set<string>();
      for (const [g, value] of json.weightsManifest.entries()) {
        const group = c.object(value, `weightsManifest[${g}]`);
        const paths = c.array(group.paths, `weightsManifest[${g}].paths`).map((p, i) => c.string(p, `weightsManifest[${g}].paths[${i}]`));
        const weights = c.array(group.weights, `weightsManifest[${g}].weights`);
        specs.push(...weights.map((w, i) => checkWeightSpec(c, w, `weightsManifest[${g}].weights[${i}]`)));
        for (const [i, p] of paths.entries()) {
          const field = `weightsManifest[${g}].paths[${i}]`;
          const shard = await shardInside(c, root, p, field, path, fs);
          if (seen.has(shard)) c.fail(field, 'lists a shard that is already listed', 'each shard once', p);
          seen.add(shard);
          listedShards.push({ file: shard, field });
        }
      }
      const shards: { file: string; size: number; handle: import('node:fs/promises').FileHandle }[] = [];
      for (const { file: shard, field } of listedShards) {
        const handle = await openFile(shard).catch((e: NodeJS.ErrnoException) => {
          if (e.code === 'EISDIR') c.fail(field, 'is not a regular file', 'a weight shard', 'a folder');
          throw new ChangedWhileRead('weight shard listed in model.json is missing', { file: shard });
        });
        handles.push(handle);
        const st = await handle.stat();
        if (!st.isFile()) c.fail(field, 'is not a regular file', 'a weight shard', st.isDirectory() ? 'a folder' : 'a device, pipe or socket');
        shards.push({ file: shard, size: st.size, handle });
      }
      // Read nothing when the shards hold more than the manifest can use (every weight dtype but string has a fixed size).
      const listed = specs.every((s) => DTYPE_BYTES[s.dtype] !== undefined) ? specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[s.dtype]!, 0) : Infinity;
      const total = shards.reduce((n, s) => n + s.size, 0);
      if (total > listed) c.fail('weights', 'shards hold more bytes than the manifest lists', `${listed} bytes`, `${total} bytes`);
      const parts: ArrayBuffer[] = [];
      for (const shard of shards) {
        const b = await shard.handle.readFile();
        parts.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
      }
      const read = parts.reduce((n, p) => n + p.byteLength, 0);
      if (listed !== Infinity && read !== listed) {
        throw new ChangedWhileRead('shards do not hold the bytes the manifest lists (truncated?)', { file, field: 'weights', expected: `${listed} bytes`, actual: `${read} bytes` });
      }
      const digest = (json as unknown as Record<string, unknown>)[WEIGHTS_DIGEST_FIELD];
      if (digest !== undefined) {
        const expected = c.string(digest, WEIGHTS_DIGEST_FIELD);
        const actual = await sha256Hex(...parts.map((p) => new Uint8Array(p)));
        if (actual !== expected) {
          throw new ChangedWhileRead('the weight shards do not match model.json (changed while they were read, or corrupt)', { file, field: WEIGHTS_DIGEST_FIELD, expected, actual });
        }
      }
      return this.artifacts(json, specs, parts);
    } finally {
      await Promise.all(handles.map((h) => h.close().catch(() => undefined)));
    }
  }

  private artifacts(json: tf.io.ModelJSON, specs: tf.io.WeightsManifestEntry[], parts: ArrayBuffer[]): tf.io.ModelArtifacts {
    const artifacts: tf.io.ModelArtifacts = {
      modelTopology: json.modelTopology,
      weightSpecs: specs,
      weightData: concat(parts),
      format: json.format,
      generatedBy: json.generatedBy,
      convertedBy: json.convertedBy,
    };
    if (json.userDefinedMetadata) artifacts.userDefinedMetadata = json.userDefinedMetadata;
    return artifacts;
  }
}

export { writeFileAtomic };
