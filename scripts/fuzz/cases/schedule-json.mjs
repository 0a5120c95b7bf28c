// Hostile schedule files for `effnet schedule <variant> --preset x.json` and `effnet train --schedule x.json`.
import { deepJson, flipBit, utf8 } from '../prng.mjs';
import { TRAIN_ARGS } from './idx.mjs';

const FILE = 'sched.json';

/** The cases. */
export function scheduleCases({ seeds, rng }) {
  const schedule = seeds.schedule;
  const cases = [];
  const add = (mutation, expect, content, extra = {}) =>
    cases.push({
      mutation,
      expect,
      args: extra.args ?? ['schedule', 'efficientnetv2-s', '--preset', FILE, '--json'],
      files: {
        ...(content === undefined ? {} : { [FILE]: typeof content === 'string' || content instanceof Uint8Array ? content : JSON.stringify(content, null, 1) }),
        ...(extra.files ?? {}),
      },
      mentions: extra.mentions ?? [FILE],
      check: extra.args ? undefined : 'json-finite',
      ...(extra.quick ? { quick: true } : {}),
      ...(extra.timeoutMs ? { timeoutMs: extra.timeoutMs } : {}),
    });
  const stage = (i, patch) => {
    const s = structuredClone(schedule);
    if (patch === undefined) s.stages[i] = undefined;
    else Object.assign(s.stages[i], patch);
    for (const st of s.stages) if (st) for (const [k, v] of Object.entries(st)) if (v === undefined) delete st[k];
    return s;
  };

  add('valid seed', 'accept', schedule, { quick: true });
  add('valid, one minimal stage', 'accept', { stages: [{ endEpoch: 1, imageSize: 16 }] });
  add('valid, 1000 stages', 'accept', { stages: Array.from({ length: 1000 }, (_, i) => ({ startEpoch: i, endEpoch: i + 1, imageSize: 16 + (i % 8) })) });
  add('valid, extra per-stage values', 'accept', stage(0, { extra: { a: 1, b: -2.5 } }));
  add('valid, fractional epochs', 'accept', { stages: [{ endEpoch: 0.25, imageSize: 16 }, { endEpoch: 0.5, imageSize: 24 }] });

  // JSON text.
  const text = JSON.stringify(schedule, null, 1);
  for (const at of [0, 1, text.length >> 1, text.length - 1]) add(`truncated at byte ${at}`, 'refuse', text.slice(0, at), { quick: at === text.length >> 1 });
  add('nested 100000 deep', 'refuse', deepJson(100000), { quick: true });
  for (const [v, what] of [['[]', 'an array'], ['"paper"', 'a string']]) add(`the file holds ${what}`, 'refuse', v);
  add('a byte-order mark', 'either', `\ufeff${text}`);
  add('a comment', 'refuse', `/* c */${text}`);
  add('stages listed twice', 'either', text.replace('"stages":', '"stages": [], "stages":'));
  for (const at of rng.distinct(3, 0, text.length)) add(`bit flip at byte ${at}`, 'either', flipBit(utf8(text), at, rng.int(0, 7)));

  // Top-level fields.
  for (const [field, v, expect] of [
    ['evil', 1, 'refuse'], ['stages', undefined, 'refuse'], ['stages', [], 'refuse'], ['stages', 'x', 'refuse'], ['stages', [null], 'refuse'],
    ['evalSize', 7, 'refuse'], ['randAugmentOps', 17, 'refuse'], ['randAugmentOps', 1.5, 'refuse'],
  ]) {
    const s = structuredClone(schedule);
    if (v === undefined) delete s[field];
    else s[field] = v;
    add(`${field} ${JSON.stringify(v) ?? 'missing'}`, expect, s, { mentions: [FILE, field], quick: field === 'stages' && Array.isArray(v) && v.length === 0 });
  }

  // Stage fields (the second stage).
  for (const [field, v, expect] of [
    ['startEpoch', 0.5, 'refuse'], ['endEpoch', 0, 'refuse'], ['endEpoch', undefined, 'refuse'],
    ['imageSize', 0, 'refuse'], ['imageSize', 4097, 'refuse'], ['imageSize', '16', 'refuse'], ['imageSize', null, 'refuse'],
    ['dropout', 1, 'refuse'], ['randAugmentMagnitude', 101, 'refuse'], ['mixupAlpha', -1, 'refuse'], ['mixupAlpha', 1e308, 'either'],
    ['cutmixAlpha', -1, 'refuse'], ['extra', { a: 'b' }, 'refuse'],
    ['evil', 1, 'refuse'],
  ]) add(`stages[1].${field} ${JSON.stringify(v) ?? 'missing'}`, expect, stage(1, { [field]: v }), { mentions: [FILE, `stages[1].${field}`], quick: field === 'imageSize' && v === 0 });
  let seen = 0;
  add('stages[1].endEpoch 1e999 (Infinity)', 'refuse', text.replace(/"endEpoch": [0-9.e+-]+/g, (m) => (++seen === 2 ? '"endEpoch": 1e999' : m)), { mentions: [FILE, 'stages[1].endEpoch'] });
  add('stages in reverse order', 'refuse', { ...schedule, stages: [...schedule.stages].reverse() });
  add('stage 0 starting at epoch 1', 'refuse', stage(0, { startEpoch: 1 }), { mentions: [FILE, 'stages[0].startEpoch'] });

  // The file itself.
  add('the file does not exist', 'refuse', undefined);
  add('the file is a folder', 'refuse', undefined, { files: { [FILE]: { dir: true } } });
  add('the file is a link to /dev/zero', 'refuse', undefined, { files: { [FILE]: { symlink: '/dev/zero' } }, quick: true });
  add('the file is empty', 'refuse', '');

  // Through `effnet train --schedule`.
  const trainArgs = [...TRAIN_ARGS.filter((a, i, all) => a !== '--sizes' && all[i - 1] !== '--sizes' && a !== '--schedule' && all[i - 1] !== '--schedule'), '--schedule', FILE];
  const data = { 'arch.json': seeds.bytes.arch, 'data/train-images-idx3-ubyte': seeds.bytes.idxImages, 'data/train-labels-idx1-ubyte': seeds.bytes.idxLabels };
  add('train: valid one-stage schedule', 'accept', { stages: [{ endEpoch: 1, imageSize: 16 }] }, { args: trainArgs, files: data, timeoutMs: 30_000 });
  add('train: imageSize 7', 'refuse', { stages: [{ endEpoch: 1, imageSize: 7 }] }, { args: trainArgs, files: data, mentions: [FILE, 'imageSize'] });
  add('train: no stages', 'refuse', { stages: [] }, { args: trainArgs, files: data, mentions: [FILE, 'stages'] });
  add('train: truncated file', 'refuse', text.slice(0, 40), { args: trainArgs, files: data });
  return cases;
}
