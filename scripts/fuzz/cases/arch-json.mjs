// Hostile architecture configs for `effnet info <config.json>`.
import { deepJson, flipBit, utf8 } from '../prng.mjs';

const FILE = 'arch.json';

/** The cases. */
export function archCases({ seeds, rng }) {
  const base = JSON.parse(new TextDecoder().decode(seeds.bytes.arch));
  const blocks = seeds.blocksConfig;
  const spec = seeds.spec;
  const cases = [];
  const add = (mutation, expect, content, extra = {}) =>
    cases.push({
      mutation,
      expect,
      args: ['info', FILE, '--json', ...(extra.more ?? [])],
      files: content === undefined ? {} : { [FILE]: typeof content === 'string' || content instanceof Uint8Array ? content : JSON.stringify(content, null, 1) },
      mentions: extra.mentions ?? [FILE],
      check: 'json-finite',
      ...(extra.quick ? { quick: true } : {}),
      ...(extra.files ? { files: { ...extra.files } } : {}),
    });
  const set = (obj, path, value) => {
    const o = structuredClone(obj);
    const keys = path.split('.');
    let t = o;
    for (const k of keys.slice(0, -1)) t = t[k];
    if (value === undefined) delete t[keys.at(-1)];
    else t[keys.at(-1)] = value;
    return o;
  };

  add('valid config (base, width, depth)', 'accept', base, { quick: true });
  add('valid config of block strings', 'accept', blocks);
  add('valid resolved spec', 'accept', spec, { quick: true });
  add('valid config, --resolution 64x48', 'accept', base, { more: ['--resolution', '64x48'] });
  add('valid config, stage objects', 'accept', { blocks: [{ type: 'fused_mbconv', repeats: 1, kernel: 3, stride: 2, expandRatio: 1, inChannels: 16, outChannels: 16 }], numClasses: 2 });
  add('V2-XL at width 10, depth 10', 'either', { base: 'efficientnetv2-xl', width: 10, depth: 10 });

  // JSON text.
  const text = JSON.stringify(base, null, 1);
  for (const at of [1, text.length >> 1, text.length - 1]) add(`truncated at byte ${at}`, 'refuse', text.slice(0, at), { quick: at === 1 });
  add('a byte-order mark', 'either', `\ufeff${text}`);
  add('nested 100000 deep', 'refuse', deepJson(100000), { quick: true });
  add('an object nested 100000 deep', 'refuse', '{"a":'.repeat(100000) + '1' + '}'.repeat(100000));
  for (const [v, what] of [['[]', 'an array'], ['"efficientnetv2-b0"', 'a string']]) add(`the file holds ${what}`, 'refuse', v);
  add('invalid UTF-8 inside a string', 'either', (() => { const b = utf8(JSON.stringify({ ...base, name: 'xx' })); const i = b.indexOf(0x78); b[i] = 0xff; b[i + 1] = 0xfe; return b; })());
  add('a trailing comma', 'refuse', text.replace(/\n}$/, ',\n}'));
  add('NaN literal', 'refuse', text.replace('0.25', 'NaN'));
  add('1e999 (Infinity) for width', 'refuse', text.replace('"width": 0.25', '"width": 1e999'));
  add('width listed twice', 'either', text.replace('"width": 0.25', '"width": 99, "width": 0.25'));
  add('depth listed twice, the last out of range', 'refuse', text.replace('"depth": 0.25', '"depth": 0.25, "depth": -1'));
  for (const at of rng.distinct(2, 0, text.length)) add(`bit flip at byte ${at}`, 'either', flipBit(utf8(text), at, rng.int(0, 7)));

  // Config fields.
  const fieldValues = {
    width: [0, -1, 11, 1e-300],
    depth: [0, 10.5],
    resolution: [0],
    stemChannels: [1e9],
    headChannels: [1e300],
    numClasses: [-1, 1e7],
    trainSize: [7],
    evalSize: [1e12],
    dropout: [1],
    dropPathRate: [2],
    bnEpsilon: [0],
    activation: ['evil'],
    scaleHead: ['yes'],
    convention: ['x'],
    timm: [{ roundLimit: 0.9, scaleHead: true, extra: 1 }],
    preprocessing: [{ ...spec.preprocessing, std: [0, 1, 1] }, { ...spec.preprocessing, size: 7 }, 'imagenet'],
    name: [''],
    scaling: ['nope'],
    base: ['nope', '../../etc/passwd', 'efficientnetv2-*'],
  };
  const accepted = new Set(['width=1e-300', 'dropout=0.9999', 'stemChannels=1e9', 'headChannels=1e9', 'evalSize=1e12']);
  for (const [field, values] of Object.entries(fieldValues)) {
    for (const v of values) {
      const key = `${field}=${JSON.stringify(v)}`;
      const expect = accepted.has(`${field}=${v}`) ? 'either' : 'refuse';
      add(`${field} ${JSON.stringify(v)}`, expect, { ...base, [field]: v }, { mentions: [FILE, field], quick: key === 'width=0' || key === 'numClasses=-1' });
    }
  }
  add('name with .. and slashes', 'either', { ...base, name: '../../etc/passwd' });
  add('an unknown field (widht)', 'refuse', { ...base, widht: 1 }, { mentions: [FILE, 'widht'] });
  add('neither base nor blocks', 'refuse', { width: 1 });

  // Block strings and stage objects.
  for (const [b, what, expect] of [
    [[], 'no blocks', 'refuse'], ['r1_k3_s1_e1_i24_o24_c1', 'a string, not a list', 'refuse'], [['r1_k3'], 'a short block string', 'refuse'],
    [['r0_k3_s1_e1_i24_o24'], 'zero repeats', 'refuse'], [['r99999_k3_s1_e1_i24_o24_c1'], '99999 repeats', 'refuse'], [['r1_k99_s1_e1_i24_o24'], 'kernel 99', 'refuse'],
    [['r1_k3_s1_e0_i24_o24'], 'expansion 0', 'refuse'],
    [['r1_k3_s1_e1_i24_o24_se2'], 'SE ratio 2', 'refuse'], [['r1_k3_s1_e1_i24_o24_c1_zz'], 'an unknown option', 'refuse'], [[null], 'null', 'refuse'],
    [Array(5000).fill('r1_k3_s1_e1_i24_o24_c1'), '5000 stages', 'refuse'], [['r1_k3_s1_e1_i24_o24_c1', 'r1_k3_s2_e4_i99_o48_c1'], 'channels that do not chain', 'either'],
    [[{ type: 'fused_mbconv', repeats: 1, kernel: 3, stride: 1, inChannels: 8, outChannels: 8, evil: 1 }], 'a stage object with an unknown key', 'refuse'],
    [[{ type: 'nope', repeats: 1, kernel: 3, stride: 1, inChannels: 8, outChannels: 8 }], 'a stage object of an unknown type', 'refuse'],
    [[{ type: 'mbconv', repeats: 1, kernel: 3, stride: 1, expandRatio: 64, inChannels: 65536, outChannels: 8 }], 'a stage that expands past the limit', 'refuse'],
  ]) add(`blocks: ${what}`, expect, { blocks: b, numClasses: 3 }, { mentions: [FILE, ['blocks', 'stages']], quick: what === '99999 repeats' });

  // A resolved spec.
  for (const [path, v, what] of [
    ['stages', [], 'no stages'], ['stem.channels', 0, 'stem channels 0'], ['headChannels', 65537, 'head channels 65537'], ['numClasses', 1000001, '1000001 classes'],
    ['stages.0.inChannels', 7, 'first stage input != stem'], ['stages.1.inChannels', 7, 'second stage input != first output'], ['stages.0.kernel', 32, 'kernel 32'],
    ['stages.1.seRatio', 1.5, 'SE ratio 1.5'], ['stages.0.options', 'x', 'options a string'],
    ['preprocessing', undefined, 'preprocessing missing'], ['extra', 1, 'an unknown field'], ['stages.0', null, 'a null stage'],
  ]) add(`spec: ${what}`, 'refuse', set(spec, path, v), { mentions: [FILE, path.split('.')[0]], quick: what === 'first stage input != stem' });
  add('spec: 1024 stages of 65536 channels', 'either', { ...spec, stem: { ...spec.stem, channels: 65536 }, stages: Array.from({ length: 1024 }, () => ({ type: 'fused_mbconv', repeats: 1, kernel: 3, stride: 1, expandRatio: 1, inChannels: 65536, outChannels: 65536 })) });

  // The file itself.
  add('the file does not exist', 'refuse', undefined);
  add('the file is a folder', 'refuse', undefined, { files: { [FILE]: { dir: true } } });
  add('the file is a link to /dev/zero', 'refuse', undefined, { files: { [FILE]: { symlink: '/dev/zero' } }, quick: true });
  add('the file is empty', 'refuse', '');
  return cases;
}
