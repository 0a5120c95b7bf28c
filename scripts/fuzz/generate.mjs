#!/usr/bin/env node
// Builds the hostile-input corpus: valid seeds made with effnet's own writers, then, per reader,
// cases that mutate them. Each case is a folder `<root>/<reader>/<nnn>-<slug>/` with `work/` (the
// command's working folder: its inputs and an empty `out/`) and, where a case needs one,
// `outside/` (files that symbolic links and `..` paths point at). `<root>/corpus.json` lists every
// case: reader, mutation, expectation, command line, what its error must name and what it may write.
//
//   node scripts/fuzz/generate.mjs <dir> [--quick] [--seed N]
import { cp, link, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Prng, slug } from './prng.mjs';
import { makeSeeds } from './seeds.mjs';
import { archCases } from './cases/arch-json.mjs';
import { flagCases } from './cases/flags.mjs';
import { idxCases } from './cases/idx.mjs';
import { kerasH5Cases } from './cases/keras-h5.mjs';
import { modelFolderCases } from './cases/model-folder.mjs';
import { npyCases } from './cases/npy.mjs';
import { safetensorsCases } from './cases/safetensors.mjs';
import { scheduleCases } from './cases/schedule-json.mjs';

/** The readers, in the order the report lists them. */
export const READERS = ['safetensors', 'keras-h5', 'npy', 'idx', 'model-folder', 'arch-json', 'schedule-json', 'flags'];

const BUILDERS = {
  safetensors: safetensorsCases,
  'keras-h5': kerasH5Cases,
  npy: npyCases,
  idx: idxCases,
  'model-folder': modelFolderCases,
  'arch-json': archCases,
  'schedule-json': scheduleCases,
  flags: flagCases,
};

/**
 * A case as the reader modules describe it:
 * - `mutation`: what was done to the seed, in words;
 * - `expect`: `refuse` (must fail cleanly), `accept` (valid input: must succeed with finite
 *   outputs) or `either` (a mutation that may or may not leave a valid input, e.g. a bit flip);
 * - `args`: the effnet command line, run in `work/`;
 * - `files`: `{relative path: bytes | string | {copyDir: path} | {symlink: target}}` in `work/`;
 * - `outside`: files in the sibling `outside/` folder;
 * - `mentions`: strings of which the error line must contain at least one (the file or flag);
 * - `outputs`: paths in `work/` the command may write when it succeeds (default `out`);
 * - `quick`: part of the fast subset.
 */
async function materialize(caseDir, c) {
  const work = join(caseDir, 'work');
  await mkdir(join(work, 'out'), { recursive: true });
  const put = async (base, rel, value) => {
    const target = join(base, rel);
    await mkdir(dirname(target), { recursive: true });
    if (typeof value === 'string' || value instanceof Uint8Array) await writeFile(target, value);
    else if (value.copyDir) await copyModelDir(value.copyDir, target);
    else if (value.symlink) await symlink(value.symlink, target);
    else if (value.dir) await mkdir(target, { recursive: true });
    else throw new Error(`bad file spec for ${rel}`);
  };
  for (const [rel, value] of Object.entries(c.outside ?? {})) await put(join(caseDir, 'outside'), rel, value);
  for (const [rel, value] of Object.entries(c.files ?? {})) await put(work, rel, value);
}

/** Copies a model folder; big shards are hard-linked (the commands never write into them). */
async function copyModelDir(from, to) {
  await mkdir(to, { recursive: true });
  const { readdir } = await import('node:fs/promises');
  for (const name of await readdir(from)) {
    if (name.endsWith('.bin')) await link(join(from, name), join(to, name)).catch(() => cp(join(from, name), join(to, name)));
    else await cp(join(from, name), join(to, name));
  }
}

/**
 * Writes the corpus under `root` (emptied first) and returns its cases. With `quick`, only the
 * cases marked quick are written. The same `seed` gives the same corpus.
 */
export async function generateCorpus(root, { quick = false, seed = 20240601, readers = READERS } = {}) {
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  const seeds = await makeSeeds(join(root, '_seeds'));
  const all = [];
  for (const reader of readers) {
    const rng = new Prng(seed ^ hash(reader));
    const list = BUILDERS[reader]({ seeds, rng });
    let n = 0;
    for (const c of list) {
      n++;
      if (quick && !c.quick) continue;
      const id = `${reader}/${String(n).padStart(3, '0')}-${slug(c.mutation)}`;
      const caseDir = join(root, id);
      await materialize(caseDir, c);
      all.push({
        id,
        reader,
        mutation: c.mutation,
        expect: c.expect,
        args: c.args,
        mentions: c.mentions ?? [],
        outputs: c.outputs ?? ['out'],
        quick: !!c.quick,
        ...(c.timeoutMs ? { timeoutMs: c.timeoutMs } : {}),
        ...(c.check ? { check: c.check } : {}),
      });
    }
  }
  await writeFile(join(root, 'corpus.json'), JSON.stringify({ seed, quick, cases: all }, null, 1));
  return all;
}

function hash(text) {
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return h >>> 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({ options: { quick: { type: 'boolean' }, seed: { type: 'string' } }, allowPositionals: true });
  if (positionals.length !== 1) {
    console.error('usage: node scripts/fuzz/generate.mjs <dir> [--quick] [--seed N]');
    process.exit(2);
  }
  const cases = await generateCorpus(resolve(positionals[0]), { quick: !!values.quick, ...(values.seed ? { seed: Number(values.seed) } : {}) });
  console.log(`${cases.length} cases in ${resolve(positionals[0])}`);
}
