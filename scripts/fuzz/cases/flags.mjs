// Hostile command-line flags: bad numbers, empty lists, values out of range, outputs that
// collide with existing files.
import { deepJson } from '../prng.mjs';
import { TRAIN_ARGS } from './idx.mjs';

/** The cases. */
export function flagCases({ seeds }) {
  const cases = [];
  const model = { 'tiny-model': { copyDir: seeds.files.model } };
  const data = { 'arch.json': seeds.bytes.arch, 'data/train-images-idx3-ubyte': seeds.bytes.idxImages, 'data/train-labels-idx1-ubyte': seeds.bytes.idxLabels };
  const add = (mutation, expect, args, extra = {}) =>
    cases.push({
      mutation,
      expect,
      args,
      files: extra.files ?? {},
      mentions: extra.mentions ?? [],
      ...(extra.check ? { check: extra.check } : {}),
      ...(extra.quick ? { quick: true } : {}),
      ...(args[0] === 'train' ? { timeoutMs: 30_000 } : {}),
    });
  /** `flag value` on a base command line: replaces the flag's value when it is there, else appends it. */
  const withFlag = (base, flag, value) => {
    const i = base.indexOf(flag);
    if (i < 0) return [...base, flag, value];
    const out = [...base];
    out[i + 1] = value;
    return out;
  };
  const numberCases = (command, base, flag, values, files = {}) => {
    for (const [v, expect] of values) {
      add(`${command} ${flag} ${JSON.stringify(v)}`, expect, withFlag(base, flag, v), { files, mentions: [[flag, flag.slice(2)]], quick: v === '-1' && ['--classes', '--top', '--batch-size'].includes(flag), check: command === 'info' || command === 'schedule' ? 'json-finite' : undefined });
    }
  };

  // info
  const info = ['info', 'efficientnetv2-b0', '--json'];
  add('info, no flags', 'accept', info, { check: 'json-finite', quick: true });
  numberCases('info', info, '--classes', [['-1', 'refuse'], ['1.5', 'refuse'], ['', 'refuse'], ['0', 'accept'], ['1000001', 'refuse']]);
  numberCases('info', info, '--resolution', [['7', 'refuse'], ['8193', 'refuse'], ['', 'refuse'], ['64x0', 'refuse'], ['64X48', 'accept']]);
  add('info of an unknown variant', 'refuse', ['info', 'efficientnetv2-b9'], { mentions: ['efficientnetv2-b9'] });
  add('info of an empty name', 'refuse', ['info', ''], {});
  add('info with an unknown option', 'refuse', ['info', 'efficientnetv2-b0', '--evil'], {});
  add('an unknown command', 'refuse', ['evil'], {});

  // predict
  const predict = ['predict', 'tiny-model', 'in.npy', '--backend', 'cpu', '--json'];
  const predictFiles = { ...model, 'in.npy': seeds.bytes.npy };
  numberCases('predict', predict, '--top', [['0', 'refuse'], ['-1', 'refuse'], ['', 'refuse'], ['99999999999999999999', 'accept']], predictFiles);
  add('predict --backend evil', 'refuse', withFlag(predict, '--backend', 'evil'), { files: predictFiles, mentions: [['evil', '--backend']] });
  add('predict --backend ""', 'refuse', withFlag(predict, '--backend', ''), { files: predictFiles, mentions: [['--backend', 'backend']] });
  add('predict --engine evil', 'refuse', [...predict, '--engine', 'evil'], { files: predictFiles });
  add('predict with no inputs', 'refuse', ['predict', 'tiny-model'], { files: predictFiles });
  add('predict of an input with an unknown extension', 'refuse', ['predict', 'tiny-model', 'arch.json', '--backend', 'cpu'], { files: { ...predictFiles, 'arch.json': '{}' }, mentions: ['arch.json'] });

  // schedule
  const schedule = ['schedule', 'efficientnetv2-s', '--json'];
  numberCases('schedule', schedule, '--epochs', [['0', 'refuse'], ['Infinity', 'refuse'], ['', 'refuse'], ['1e-12', 'refuse'], ['1e308', 'either']]);
  add('schedule --preset nope', 'refuse', [...schedule, '--preset', 'nope'], { mentions: ['nope'] });
  add('schedule of an unknown variant', 'refuse', ['schedule', 'efficientnetv2-q', '--json'], { mentions: ['efficientnetv2-q'] });
  add('schedule of an empty variant', 'refuse', ['schedule', '', '--json'], {});

  // train
  const trainBad = [
    ['--batch-size', ['0', '-1']], ['--micro-batch', ['0']], ['--sizes', ['', ',', '7', '16,16']],
    ['--eval-size', ['7']], ['--epochs', ['0']], ['--lr', ['NaN']], ['--weight-decay', ['-1']],
    ['--label-smoothing', ['1.5']], ['--ema', ['2']], ['--seed', ['-1']], ['--max-steps', ['0']], ['--limit', ['0']],
    ['--validation', ['0', '100']], ['--crop', ['2']], ['--workers', ['65']], ['--schedule-for', ['nope']], ['--schedule', ['nope']],
  ];
  for (const [flag, values] of trainBad) {
    for (const v of values) add(`train ${flag} ${JSON.stringify(v)}`, 'refuse', withFlag(TRAIN_ARGS, flag, v), { files: data, mentions: [[flag, flag.slice(2), ...(flag === '--schedule' || flag === '--schedule-for' ? [v] : [])]], quick: flag === '--sizes' && v === '' });
  }
  add('train --flip 2 with --crop 0.5', 'refuse', [...TRAIN_ARGS, '--crop', '0.5', '--flip', '2'], { files: data, mentions: ['--flip'] });
  for (const [flag, v] of [['--optimizer', 'xyz'], ['--engine', 'xyz']]) {
    add(`train ${flag} ${v}`, 'refuse', withFlag(TRAIN_ARGS, flag, v), { files: data, mentions: [flag] });
  }
  add('train --backend evil', 'refuse', withFlag(TRAIN_ARGS, '--backend', 'evil'), { files: data, mentions: [['evil', '--backend']] });
  add('train --arch nope', 'refuse', withFlag(TRAIN_ARGS, '--arch', 'nope'), { files: data, mentions: ['nope'] });
  add('train --arch missing.json', 'refuse', withFlag(TRAIN_ARGS, '--arch', 'missing.json'), { files: data, mentions: ['missing.json'] });
  add('train --validation 4 (valid)', 'accept', withFlag(TRAIN_ARGS, '--validation', '4'), { files: data });
  add('train --validation 12 (every example)', 'refuse', withFlag(TRAIN_ARGS, '--validation', '12'), { files: data, mentions: [['--validation', 'validation']] });
  add('train --out names an existing file', 'refuse', TRAIN_ARGS, { files: { ...data, 'out/run': 'a file' }, mentions: ['run'], quick: true });
  add('train --out names a path under a file', 'refuse', withFlag(TRAIN_ARGS, '--out', 'arch.json/run'), { files: data, mentions: ['arch.json'] });
  add('train --resume without a checkpoint (starts afresh)', 'either', [...TRAIN_ARGS, '--resume'], { files: data, mentions: [['run', '--resume', 'checkpoint']] });
  add('train --data ""', 'refuse', withFlag(TRAIN_ARGS, '--data', ''), { files: data, mentions: ['--data'] });
  add('train without --data', 'refuse', TRAIN_ARGS.filter((a, i, all) => a !== '--data' && all[i - 1] !== '--data'), { files: data });

  // convert
  const convert = ['convert', 'w.safetensors', '--from', 'timm', '--arch', 'arch.json', '--out', 'out/model'];
  const convertFiles = { 'w.safetensors': seeds.bytes.safetensors, 'arch.json': seeds.bytes.arch };
  add('convert --from xyz', 'refuse', withFlag(convert, '--from', 'xyz'), { files: convertFiles, mentions: ['--from'] });
  add('convert --classes 0', 'refuse', [...convert, '--classes', '0'], { files: convertFiles, mentions: ['--classes'] });
  add('convert --classes 7 (not the checkpoint\'s)', 'refuse', [...convert, '--classes', '7'], { files: convertFiles, mentions: ['classifier'] });
  add('convert --arch nope', 'refuse', withFlag(convert, '--arch', 'nope'), { files: convertFiles, mentions: ['nope'] });
  add('convert --arch of another variant', 'refuse', withFlag(convert, '--arch', 'efficientnetv2-b1'), { files: convertFiles, mentions: ['w.safetensors'] });
  add('convert --out names an existing file', 'refuse', convert, { files: { ...convertFiles, 'out/model': 'a file' }, mentions: ['model'], quick: true });
  add('convert --out names a folder of other files', 'refuse', convert, { files: { ...convertFiles, 'out/model/keep.txt': 'keep me' }, mentions: ['model'] });
  add('convert --out names a path under a file', 'refuse', withFlag(convert, '--out', 'arch.json/model'), { files: convertFiles, mentions: ['arch.json'] });
  add('convert --out ""', 'refuse', withFlag(convert, '--out', ''), { files: convertFiles, mentions: ['--out'] });
  add('convert without --out', 'refuse', convert.slice(0, -2), { files: convertFiles });
  add('convert --out replaces a saved model (valid)', 'accept', convert, { files: { ...convertFiles, 'out/model': { copyDir: seeds.files.model } } });

  // export
  const exportArgs = ['export', 'tiny-model', '--to', 'keras-h5', '--out', 'out/w.h5'];
  add('export to keras-h5 (valid)', 'accept', exportArgs, { files: model });
  add('export --to xyz', 'refuse', withFlag(exportArgs, '--to', 'xyz'), { files: model, mentions: ['--to'] });
  add('export keras-h5 to a .weights.h5 name', 'refuse', withFlag(exportArgs, '--out', 'out/w.weights.h5'), { files: model, mentions: ['--out'] });
  add('export --out ""', 'refuse', withFlag(exportArgs, '--out', ''), { files: model, mentions: ['--out'] });

  // pack
  const pack = ['pack', 'tiny-model', '--name', '@fuzz/tiny', '--out', 'out/pkg'];
  for (const name of ['', '../evil', '@fuzz/../../evil']) {
    add(`pack --name ${JSON.stringify(name.length > 40 ? `${name.slice(0, 10)}...` : name)}`, 'refuse', withFlag(pack, '--name', name), { files: model, mentions: ['--name'], quick: name === '../evil' });
  }
  add('pack without --out, --name ../evil', 'refuse', ['pack', 'tiny-model', '--name', '../evil'], { files: model, mentions: ['--name'] });
  for (const v of ['x', '']) add(`pack --version ${JSON.stringify(v)}`, 'refuse', [...pack, '--version', v], { files: model, mentions: ['--version'] });
  for (const [content, what] of [['{', 'truncated JSON'], ['[]', 'an array'], [deepJson(100000), 'nested 100000 deep'], ['{"labels": 5}', 'labels a number'], ['{"cropPct": -1}', 'cropPct -1']]) {
    add(`pack --metadata of ${what}`, 'refuse', [...pack, '--metadata', 'meta.json'], { files: { ...model, 'meta.json': content }, mentions: ['meta.json'] });
  }
  add('pack --metadata missing.json', 'refuse', [...pack, '--metadata', 'missing.json'], { files: model, mentions: ['missing.json'] });
  add('pack --out names an existing file', 'refuse', pack, { files: { ...model, 'out/pkg': 'a file' }, mentions: ['pkg'] });
  add('pack (valid)', 'accept', pack, { files: model });

  // tour
  for (const v of ['7', '']) add(`tour --resolution ${JSON.stringify(v)}`, 'refuse', ['tour', '--resolution', v, '--variants', 'efficientnetv2-b0', '--backend', 'cpu'], { mentions: ['--resolution'] });
  return cases;
}
