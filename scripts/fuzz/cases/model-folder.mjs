// Hostile TF.js model folders (model.json + weight shards) for `effnet predict`, `export` and `pack`.
import { createHash } from 'node:crypto';
import { concatBytes, deepJson, flipBit, setFloat32, utf8 } from '../prng.mjs';

const MODEL = 'tiny-model';

/** The cases. */
export function modelFolderCases({ seeds, rng }) {
  const { modelJson, shardName, shard, weights } = seeds.modelLayout;
  const jsonText = JSON.stringify(modelJson, null, 1);
  const cases = [];
  const commands = {
    predict: ['predict', MODEL, 'in.npy', '--backend', 'cpu', '--json'],
    export: ['export', MODEL, '--to', 'timm-safetensors', '--out', 'out/w.safetensors'],
    pack: ['pack', MODEL, '--name', '@fuzz/tiny', '--out', 'out/pkg'],
  };
  /** `json`: model.json text or object (undefined: the seed's); `shards`: {name: bytes} (undefined: the seed's). */
  const add = (mutation, expect, { json, shards, command = 'predict', files = {}, outside, mentions, quick, args, stale } = {}) => {
    const folder = {};
    // Changed shard bytes get a matching weightsSha256 (as a writer that knows the format would
    // make them), so that the checks behind the digest are what the case meets; `stale` keeps the seed's digest.
    const changed = shards?.[shardName];
    if (!stale && changed instanceof Uint8Array && (json === undefined || (typeof json === 'object' && json !== null && !(json instanceof Uint8Array)))) {
      json = { ...(json ?? modelJson), weightsSha256: createHash('sha256').update(changed).digest('hex') };
    }
    if (json !== null) folder[`${MODEL}/model.json`] = json === undefined ? jsonText : typeof json === 'string' || json instanceof Uint8Array ? json : JSON.stringify(json);
    for (const [name, bytes] of Object.entries(shards ?? { [shardName]: shard })) if (bytes !== null) folder[`${MODEL}/${name}`] = bytes;
    cases.push({
      mutation: command === 'predict' ? mutation : `${mutation} (${command})`,
      expect,
      args: args ?? commands[command],
      files: { 'in.npy': seeds.bytes.npy, ...folder, ...files },
      mentions: mentions ?? [MODEL],
      ...(command === 'predict' ? { check: 'predict-json' } : {}),
      ...(outside ? { outside } : {}),
      ...(quick ? { quick: true } : {}),
    });
  };
  const edit = (fn) => {
    const j = structuredClone(modelJson);
    fn(j);
    return j;
  };
  const group = (j) => j.weightsManifest[0];
  const arch = (j) => j.modelTopology.architecture;
  const w0 = weights[0];
  const wMid = weights[Math.floor(weights.length / 2)];
  const wLast = weights.at(-1);
  const bnVar = weights.find((w) => /moving_variance|variance/.test(w.name)) ?? wMid;
  const classifier = weights.find((w) => /classifier/.test(w.name) && w.shape.length === 2) ?? wLast;

  add('valid seed', 'accept', { quick: true });
  add('valid seed', 'accept', { command: 'export' });
  add('valid seed', 'accept', { command: 'pack' });
  add('valid, weights split over three shards', 'accept', {
    json: edit((j) => { group(j).paths = ['a.bin', 'b.bin', 'c.bin']; }),
    shards: { 'a.bin': shard.subarray(0, 1000), 'b.bin': shard.subarray(1000, 5001), 'c.bin': shard.subarray(5001) },
  });
  add('valid, weights in two manifest groups', 'accept', {
    json: edit((j) => {
      const all = group(j).weights;
      j.weightsManifest = [{ paths: ['a.bin'], weights: all.slice(0, 10) }, { paths: ['b.bin'], weights: all.slice(10) }];
    }),
    shards: { 'a.bin': shard.subarray(0, weights[9].end), 'b.bin': shard.subarray(weights[9].end) },
  });
    add('valid, a shard that is a link inside the folder', 'accept', { shards: { 'real.bin': shard, [shardName]: { symlink: 'real.bin' } } });
  add('valid, the folder is a link outside the case folder', 'accept', { json: null, shards: {}, files: { [MODEL]: { symlink: '../outside/m' } }, outside: { 'm/model.json': jsonText, [`m/${shardName}`]: shard } });
  add('valid, a shard path starting with ./', 'either', { json: edit((j) => { group(j).paths = [`./${shardName}`]; }) });

  // model.json as text.
  const cuts = [0, jsonText.length >> 1, jsonText.length - 1];
  cuts.forEach((at, i) => add(`model.json truncated at byte ${at}`, 'refuse', { json: jsonText.slice(0, at), quick: i === 1 }));
  add('model.json with a byte-order mark', 'either', { json: `\ufeff${jsonText}` });
  add('model.json nested 100000 deep', 'refuse', { json: deepJson(100000), quick: true });
  add('model.json of invalid UTF-8', 'refuse', { json: concatBytes(utf8('{"a": "'), new Uint8Array([0xff, 0xfe, 0xc0]), utf8('"}')) });
  for (const [v, what] of [['[]', 'an array'], ['null', 'null']]) add(`model.json is ${what}`, 'refuse', { json: v });
  add('model.json is a folder', 'refuse', { json: null, files: { [`${MODEL}/model.json`]: { dir: true } } });
  add('model.json is a link to /dev/zero', 'refuse', { json: null, files: { [`${MODEL}/model.json`]: { symlink: '/dev/zero' } }, quick: true });

  // weightsManifest.
  for (const [v, what] of [[undefined, 'missing'], [[], 'empty'], [[{}], 'a group without fields']]) {
    add(`weightsManifest ${what}`, 'refuse', { json: edit((j) => { if (v === undefined) delete j.weightsManifest; else j.weightsManifest = v; }), quick: what === 'empty' });
  }
  for (const [v, what] of [[undefined, 'missing'], [[''], 'an empty name']]) {
    add(`paths ${what}`, 'refuse', { json: edit((j) => { if (v === undefined) delete group(j).paths; else group(j).paths = v; }) });
  }
  for (const [v, what] of [[undefined, 'missing'], [[null], 'a null entry']]) {
    add(`weights ${what}`, 'refuse', { json: edit((j) => { if (v === undefined) delete group(j).weights; else group(j).weights = v; }) });
  }

  // Shard paths: escapes, links, repeats.
  const secret = { 'secret.bin': shard };
  add('a shard path with ../ to a copy outside', 'refuse', { json: edit((j) => { group(j).paths = ['../../outside/secret.bin']; }), outside: secret, quick: true });
  add('an absolute shard path to a copy outside', 'refuse', { json: edit((j) => { group(j).paths = ['/etc/passwd']; }) });
  add('a shard path through a sub-folder and ..', 'refuse', { json: edit((j) => { group(j).paths = [`sub/../${shardName}`]; }), files: { [`${MODEL}/sub/.keep`]: '' } });
  add('a shard path with a backslash', 'refuse', { json: edit((j) => { group(j).paths = [`..\\${shardName}`]; }) });
  add('a shard path with a NUL byte', 'refuse', { json: edit((j) => { group(j).paths = [`${shardName}\u0000.txt`]; }) });
  add('a shard that links to a copy outside', 'refuse', { shards: { [shardName]: { symlink: '../../outside/secret.bin' } }, outside: secret, quick: true });
  add('a shard that links to /dev/zero', 'refuse', { shards: { [shardName]: { symlink: '/dev/zero' } } });
  add('a shard inside a linked folder outside', 'refuse', { json: edit((j) => { group(j).paths = [`ext/${shardName}`]; }), shards: { ext: { symlink: '../../outside' } }, outside: { [shardName]: shard } });
  add('a shard that is a folder', 'refuse', { shards: { [shardName]: { dir: true } } });
  add('the shard is missing', 'refuse', { shards: {}, quick: true });
  add('model.json named as the shard', 'refuse', { json: edit((j) => { group(j).paths = ['model.json']; }) });
  add('a shard changed after saving (weightsSha256 not updated)', 'refuse', { shards: { [shardName]: flipBit(shard, 64, 3) }, stale: true, mentions: ['weightsSha256'], quick: true });
  add('the shard listed twice', 'refuse', { json: edit((j) => { group(j).paths = [shardName, shardName]; }) });
  add('the shard listed 200000 times', 'refuse', { json: edit((j) => { group(j).paths = Array(200000).fill(shardName); }), quick: true });

  // Weight entries.
  const appendWeight = (w, bytes) => ({ json: edit((j) => { group(j).weights.push(w); }), shards: { [shardName]: concatBytes(shard, bytes) } });
  add(`${wMid.name} listed twice (its bytes appended)`, 'refuse', { ...appendWeight({ name: wMid.name, shape: wMid.shape, dtype: 'float32' }, shard.subarray(wMid.begin, wMid.end)), mentions: [MODEL, wMid.name], quick: true });
  add('an extra weight not in the architecture', 'refuse', appendWeight({ name: 'extra/kernel', shape: [2], dtype: 'float32' }, new Uint8Array(8)));
  add(`${wLast.name} missing (and its bytes)`, 'refuse', { json: edit((j) => { group(j).weights.pop(); }), shards: { [shardName]: shard.subarray(0, wLast.begin) }, mentions: [MODEL, wLast.name] });
  add(`${wMid.name} missing (bytes kept)`, 'refuse', { json: edit((j) => { group(j).weights.splice(weights.indexOf(wMid), 1); }) });
  for (const [v, what] of [['', 'empty']]) {
    add(`weight name ${what}`, 'refuse', { json: edit((j) => { if (v === undefined) delete group(j).weights[0].name; else group(j).weights[0].name = v; }) });
  }
  const n = wMid.shape.reduce((a, b) => a * b, 1);
  for (const [shape, what] of [
    [[-1, ...wMid.shape.slice(1)], 'negative'], [[1.5], 'fractional'], [[2 ** 31 - 1, 2 ** 31 - 1, 2 ** 31 - 1], 'huge'], [['3'], 'a string element'],
    [[], 'a scalar'], [[...wMid.shape, 1], 'an extra axis'],
  ]) {
    const same = Array.isArray(shape) && shape.join() === wMid.shape.join();
    add(`shape ${what} on ${wMid.name}`, same ? 'accept' : 'refuse', { json: edit((j) => { group(j).weights[weights.indexOf(wMid)].shape = shape; }), mentions: [MODEL, [wMid.name, `weights[${weights.indexOf(wMid)}]`, 'weights:']], quick: what === 'huge' });
  }
  for (const [v, what] of [['int32', 'int32'], ['float16', 'float16'], [undefined, 'missing']]) {
    add(`dtype ${what} on ${w0.name}`, 'refuse', { json: edit((j) => { if (v === undefined) delete group(j).weights[0].dtype; else group(j).weights[0].dtype = v; }), mentions: [MODEL, [w0.name, 'weights[0]']] });
  }
  add('quantized weights', 'refuse', { json: edit((j) => { group(j).weights[0].quantization = { dtype: 'uint8', scale: 1, min: 0 }; }) });

  // The topology.
  for (const [fn, what] of [
    [(j) => delete j.modelTopology, 'modelTopology missing'], [(j) => { j.modelTopology = []; }, 'modelTopology an array'],
    [(j) => { j.modelTopology.format = 'keras'; }, 'format keras'],
    [(j) => { j.modelTopology.formatVersion = 2; }, 'formatVersion 2'], [(j) => { j.modelTopology.formatVersion = '1'; }, 'formatVersion "1"'],
    [(j) => delete j.modelTopology.architecture, 'architecture missing'], [(j) => { arch(j).stages = []; }, 'no stages'],
    [(j) => { arch(j).numClasses = -1; }, 'numClasses -1'],
    [(j) => { arch(j).numClasses = 4; }, 'numClasses one more than the weights'], [(j) => { arch(j).activation = 'evil'; }, 'an unknown activation'],
    [(j) => { arch(j).preprocessing.std = [0, 1, 1]; }, 'preprocessing std 0'],
    [(j) => { arch(j).stages[0].type = 'no_such_block'; }, 'an unknown block type'],
    [(j) => { arch(j).stages[0].repeats = 1000; }, '1000 repeats'], [(j) => { arch(j).evil = 1; }, 'an unknown field'],
    [(j) => { j.modelTopology.labels = ['a', 'b']; }, 'two labels for three classes'],
    [(j) => { j.modelTopology.labels = Array.from({ length: 100000 }, (_, i) => `l${i}`); }, '100000 labels'],
  ]) add(what, 'refuse', { json: edit(fn), quick: what === 'format keras' || what === 'no stages' });
  add('source a number', 'either', { json: edit((j) => { j.modelTopology.source = 5; }) });
  add('an architecture of 65536 head channels and 1000000 classes', 'refuse', {
    json: edit((j) => { arch(j).headChannels = 65536; arch(j).numClasses = 1000000; delete j.modelTopology.labels; }), quick: true,
  });
  add('an architecture of 4096 blocks of 65536 channels', 'refuse', {
    json: edit((j) => {
      const a = arch(j);
      a.stem.channels = 65536;
      a.stages = [{ type: a.stages[0].type, repeats: 1000, kernel: 31, stride: 1, expandRatio: 1, inChannels: 65536, outChannels: 65536 }];
    }),
  });

  // Shard bytes.
  for (const [len, what] of [[shard.length - 4, 'one value short'], [shard.length >> 1, 'half'], [0, 'empty']]) {
    add(`shard ${what}`, 'refuse', { shards: { [shardName]: shard.subarray(0, len) }, quick: what === 'half' });
  }
    add('shard one value long', 'refuse', { shards: { [shardName]: concatBytes(shard, new Uint8Array(4)) } });
  for (const [w, i, v] of [[w0, 0, NaN], [classifier, 3, Infinity], [bnVar, 0, -Infinity], [wLast, (wLast.end - wLast.begin) / 4 - 1, NaN]]) {
    add(`${v} in ${w.name}[${i}]`, 'refuse', { shards: { [shardName]: setFloat32(shard, w.begin + 4 * i, v) }, mentions: [MODEL, w.name], quick: w === w0 });
    if (w === classifier) add(`${v} in ${w.name}[${i}]`, 'refuse', { shards: { [shardName]: setFloat32(shard, w.begin + 4 * i, v) }, mentions: [MODEL, w.name], command: 'export' });
  }
  add(`3.4e38 in every value of ${classifier.name}`, 'either', { shards: { [shardName]: (() => { let b = shard; for (let i = classifier.begin; i < classifier.end; i += 4) b = setFloat32(b, i, 3.4e38); return b; })() } });
  add(`-1 in ${bnVar.name}[0] (a negative variance)`, 'either', { shards: { [shardName]: setFloat32(shard, bnVar.begin, -1) } });
  for (const at of rng.distinct(3, 0, shard.length)) add(`bit flip in the shard (byte ${at})`, 'either', { shards: { [shardName]: flipBit(shard, at, rng.int(0, 8)) } });
  for (const at of rng.distinct(2, 0, jsonText.length)) add(`bit flip in model.json (byte ${at})`, 'either', { json: flipBit(utf8(jsonText), at, rng.int(0, 7)) });

  // The folder and the output.
  add('the folder does not exist', 'refuse', { json: null, shards: {} });
  add('the folder is a file', 'refuse', { json: null, shards: {}, files: { [MODEL]: 'not a folder' } });
  add('the folder is empty', 'refuse', { json: null, shards: {}, files: { [MODEL]: { dir: true } } });
  add('the folder holds only a shard', 'refuse', { json: null });
  add('--out names an existing folder', 'refuse', { command: 'export', files: { 'out/w.safetensors': { dir: true } }, mentions: ['w.safetensors'] });
  add('--out names a path under a file', 'refuse', { args: ['export', MODEL, '--to', 'timm-safetensors', '--out', 'in.npy/w.safetensors'], mentions: ['w.safetensors'] });
  add('--out names an existing file', 'refuse', { command: 'pack', files: { 'out/pkg': 'a file' }, mentions: ['pkg'] });
  return cases;
}
