// Valid seed files, made with effnet's own writers from the built packages (packages/*/dist):
// a small saved model folder, its timm safetensors checkpoint, .npy inputs, IDX data sets (plain
// and gzip), architecture configs and a schedule. The corpus mutates copies of these.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The architecture every seed model uses: EfficientNetV2-B0 blocks at a quarter of the width and depth, 3 classes. */
export const TINY_ARCH = { base: 'efficientnetv2-b0', width: 0.25, depth: 0.25, numClasses: 3, trainSize: 32, evalSize: 32 };

/** Encodes unsigned bytes as an IDX file (magic `00 00 08 <rank>`, big-endian dimensions, data). */
export function encodeIdx(shape, data) {
  const out = new Uint8Array(4 + 4 * shape.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * shape.length);
  return out;
}

/**
 * Writes the seeds into `dir` and returns what the corpus needs to know about them:
 * `{ dir, files: {name: path}, bytes: {name: Uint8Array}, spec, schedule, safetensorsLayout }`.
 */
export async function makeSeeds(dir) {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  tf.enableProdMode();
  await tf.setBackend('cpu');
  const core = await import('@effnet/core');
  const { registerBlocks } = await import('@effnet/blocks');
  const { registerVariants, BASE_BLOCKS } = await import('@effnet/scaling');
  const { buildSchedule } = await import('@effnet/progressive');
  registerBlocks();
  registerVariants();
  await mkdir(dir, { recursive: true });

  const model = core.createModel(TINY_ARCH, { seed: 7, labels: ['ankle', 'boot', 'coat'] });
  const modelDir = join(dir, 'model');
  await core.saveModel(model, modelDir, { source: { format: 'fuzz-seed' } });
  const safetensors = await core.exportTimmSafetensors(model);
  const kerasH5 = await core.exportKerasH5(model);
  // Each weight's first 16 bytes, to find where the HDF5 writer put its data.
  const kerasWeights = new Map(model.weightDecls.map((d) => [d.name, new Uint8Array((model.weights.get(d.name).dataSync()).buffer.slice(0))]));
  const kerasLayers = core.kerasLayerMap(model).map((l) => ({ name: l.name, weights: l.weights.map((w) => ({ variable: w.variable, decl: w.decl.name, kind: w.decl.kind })) }));
  const spec = model.spec;
  model.dispose();

  const rand = (n, scale) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898) * scale);
  const npy = core.encodeNpy({ shape: [1, 32, 32, 3], data: rand(32 * 32 * 3, 1) });
  const npy2 = core.encodeNpy({ shape: [2, 24, 20, 3], data: rand(2 * 24 * 20 * 3, 2) });

  const n = 12;
  const side = 12;
  const pixels = Uint8Array.from({ length: n * side * side }, (_, i) => (i * 37 + (i >> 4)) % 256);
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 3);
  const idxImages = encodeIdx([n, side, side], pixels);
  const idxLabels = encodeIdx([n], labels);
  const idxRgb = encodeIdx([n, side, side, 3], Uint8Array.from({ length: n * side * side * 3 }, (_, i) => (i * 11) % 256));

  const blocksConfig = { blocks: BASE_BLOCKS['v2-base'], width: 0.25, depth: 0.25, numClasses: 4, name: 'fuzz-blocks' };
  const schedule = buildSchedule('paper', { variant: 'efficientnetv2-s', epochs: 8 });

  const files = {
    model: modelDir,
    safetensors: join(dir, 'weights.safetensors'),
    npy: join(dir, 'input.npy'),
    npy2: join(dir, 'input2.npy'),
    arch: join(dir, 'arch.json'),
    blocks: join(dir, 'blocks.json'),
    spec: join(dir, 'spec.json'),
    schedule: join(dir, 'schedule.json'),
    idxImages: join(dir, 'train-images-idx3-ubyte'),
    idxLabels: join(dir, 'train-labels-idx1-ubyte'),
  };
  const bytes = {
    safetensors,
    kerasH5,
    npy,
    npy2,
    arch: new TextEncoder().encode(JSON.stringify(TINY_ARCH, null, 2)),
    blocks: new TextEncoder().encode(JSON.stringify(blocksConfig, null, 2)),
    spec: new TextEncoder().encode(JSON.stringify(spec, null, 2)),
    schedule: new TextEncoder().encode(JSON.stringify(schedule, null, 2)),
    idxImages,
    idxLabels,
    idxRgb,
    idxImagesGz: new Uint8Array(gzipSync(idxImages)),
    idxLabelsGz: new Uint8Array(gzipSync(idxLabels)),
  };
  for (const [name, file] of Object.entries(files)) if (bytes[name]) await writeFile(file, bytes[name]);

  // Where each tensor's bytes lie in the safetensors seed, to aim mutations at structure boundaries.
  const headerLen = Number(new DataView(safetensors.buffer, safetensors.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(safetensors.subarray(8, 8 + headerLen)));
  const tensors = Object.entries(header)
    .filter(([k]) => k !== '__metadata__')
    .map(([name, e]) => ({ name, shape: e.shape, begin: e.data_offsets[0], end: e.data_offsets[1] }))
    .sort((a, b) => a.begin - b.begin);

  const modelJson = JSON.parse(await readFile(join(modelDir, 'model.json'), 'utf8'));
  const shardName = modelJson.weightsManifest[0].paths[0];
  const shard = new Uint8Array(await readFile(join(modelDir, shardName)));
  let offset = 0;
  const weights = modelJson.weightsManifest[0].weights.map((w) => {
    const size = w.shape.reduce((a, b) => a * b, 1) * 4;
    const entry = { name: w.name, shape: w.shape, begin: offset, end: offset + size };
    offset += size;
    return entry;
  });

  return {
    dir,
    files,
    bytes,
    spec,
    schedule,
    blocksConfig,
    safetensorsLayout: { headerLen, header, tensors },
    modelLayout: { modelJson, shardName, shard, weights },
    kerasLayout: { layers: kerasLayers, weights: kerasWeights },
  };
}
