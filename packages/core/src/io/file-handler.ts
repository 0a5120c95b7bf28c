import type * as tf from '@tensorflow/tfjs-core';
import { EffnetError } from '../errors.js';
import { nodeFs, writeDirAtomic, writeFileAtomic } from './node-fs.js';

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

/**
 * A TF.js IO handler for a folder on disk (Node): `model.json` plus `group1-shardKofN.bin`
 * weight shards, the layout of `tfjs-node`'s `file://` handler. Saving writes a fresh folder
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
    const modelJson: tf.io.ModelJSON = {
      modelTopology: artifacts.modelTopology as object,
      weightsManifest: [{ paths, weights: artifacts.weightSpecs ?? [] }],
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy ?? null,
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

  async load(): Promise<tf.io.ModelArtifacts> {
    const { fs, path } = await nodeFs();
    const file = path.join(this.folder, 'model.json');
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch {
      const isDir = await fs.stat(this.folder).then((s) => s.isDirectory(), () => false);
      throw new EffnetError('NOT_A_MODEL', isDir ? 'has no model.json (not a saved model folder)' : 'does not exist', { file: this.folder });
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
    const specs: tf.io.WeightsManifestEntry[] = [];
    const parts: ArrayBuffer[] = [];
    for (const group of json.weightsManifest) {
      specs.push(...group.weights);
      for (const p of group.paths) {
        const shard = path.join(this.folder, p);
        try {
          const b = await fs.readFile(shard);
          parts.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
        } catch {
          throw new EffnetError('NOT_A_MODEL', 'weight shard listed in model.json is missing', { file: shard });
        }
      }
    }
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
