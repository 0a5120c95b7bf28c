// Grades one finished case: how the command ended, what it printed and what it wrote, against
// what the case expects. Pure apart from reading the outputs it checks for non-finite numbers.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** Kinds of a good result. */
export const GOOD_KINDS = ['refused', 'usage-error', 'accepted'];
/** Kinds of a bad result, in the order the report lists them. */
export const BAD_KINDS = [
  'stack-trace', 'hang', 'crash', 'out-of-memory', 'silent-acceptance', 'nan-output', 'wrote-outside', 'partial-files', 'messy-error', 'vague-error', 'refused-valid',
];

/** Every file, folder and link under `dir` (links not followed), as `{relative path: signature}`. */
export async function snapshot(dir) {
  const out = {};
  const { lstat } = await import('node:fs/promises');
  const walk = async (d) => {
    let names;
    try {
      names = await readdir(d);
    } catch {
      return;
    }
    for (const name of names) {
      const p = join(d, name);
      const s = await lstat(p);
      const rel = relative(dir, p);
      if (s.isSymbolicLink()) out[rel] = 'link';
      else if (s.isDirectory()) {
        out[rel] = 'dir';
        await walk(p);
      } else out[rel] = `file:${s.size}:${s.mtimeMs}`;
    }
  };
  await walk(dir);
  return out;
}

/** Paths added, removed or changed between two snapshots. */
export function changes(before, after) {
  const out = [];
  for (const [p, sig] of Object.entries(after)) if (before[p] !== sig && !(sig === 'dir' && before[p] === 'dir')) out.push(p);
  for (const p of Object.keys(before)) if (!(p in after)) out.push(p);
  return out.sort();
}

const within = (p, roots) => roots.some((r) => p === r || p.startsWith(r + sep));

function nonFiniteInJson(value, path = '') {
  if (value === null) return path || '(root)';
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const bad = nonFiniteInJson(v, `${path}[${i}]`);
      if (bad) return bad;
    }
  } else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const bad = nonFiniteInJson(v, path ? `${path}.${k}` : k);
      if (bad) return bad;
    }
  }
  return undefined;
}

function firstNonFinite(values) {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return i;
  return -1;
}

/** The first non-finite number in an output file effnet wrote, described, or undefined. */
async function checkOutputFile(file, core) {
  const bytes = new Uint8Array(await readFile(file));
  if (file.endsWith('.npy')) {
    const a = core.parseNpy(bytes, file);
    const i = firstNonFinite(a.data);
    return i < 0 ? undefined : `${file}: ${a.data[i]} at element ${i}`;
  }
  if (file.endsWith('.safetensors')) {
    for (const t of core.parseSafetensors(bytes, file, { ignore: /num_batches_tracked$/ }).values()) {
      const i = firstNonFinite(t.data);
      if (i >= 0) return `${file}: ${t.name}[${i}] = ${t.data[i]}`;
    }
    return undefined;
  }
  if (file.endsWith('model.json')) {
    const json = JSON.parse(new TextDecoder().decode(bytes));
    const dir = file.slice(0, -'model.json'.length);
    for (const group of json.weightsManifest ?? []) {
      for (const p of group.paths) {
        const shard = await readFile(join(dir, p));
        const values = new Float32Array(shard.buffer, shard.byteOffset, Math.floor(shard.byteLength / 4));
        const i = firstNonFinite(values);
        if (i >= 0) return `${join(dir, p)}: ${values[i]} at value ${i}`;
      }
    }
    return undefined;
  }
  if (file.endsWith('.jsonl')) {
    for (const line of new TextDecoder().decode(bytes).split('\n').filter(Boolean)) {
      const record = JSON.parse(line);
      for (const [k, v] of Object.entries(record)) if (/loss|accuracy/i.test(k) && (v === null || (typeof v === 'number' && !Number.isFinite(v)))) return `${file}: ${k} is ${v}`;
    }
  }
  return undefined;
}

/** What the case's command printed on stdout, checked for non-finite numbers. */
function checkStdout(kind, stdout) {
  if (!kind) return undefined;
  let json;
  try {
    json = JSON.parse(stdout);
  } catch {
    return 'stdout is not JSON';
  }
  if (kind === 'predict-json') {
    for (const p of json.predictions ?? []) {
      for (const t of p.top) if (!Number.isFinite(t.probability) || !Number.isFinite(t.logit)) return `prediction ${p.input}[${p.item}] has probability ${t.probability}, logit ${t.logit}`;
    }
    return undefined;
  }
  const bad = nonFiniteInJson(json);
  return bad ? `stdout: ${bad} is not a finite number` : undefined;
}

/**
 * Grades a case. `run`: `{code, signal, stdout, stderr, timedOut, overMemory}`; `written`: paths
 * (relative to the case folder) added or changed; `caseDir`; `core`: @effnet/core for reading
 * outputs. Returns `{grade: 'good' | 'bad', kind, detail}`.
 */
export async function gradeCase(c, run, written, caseDir, core) {
  const bad = (kind, detail) => ({ grade: 'bad', kind, detail });
  const good = (kind, detail) => ({ grade: 'good', kind, detail });
  const stderr = run.stderr ?? '';
  const lines = stderr.split('\n').filter((l) => l.trim().length > 0);
  if (run.timedOut) return bad('hang', `no exit after ${run.timeoutMs} ms`);
  if (run.overMemory) return bad('out-of-memory', `resident memory passed ${run.memoryCapMb} MiB`);
  if (/heap out of memory|Allocation failed|Array buffer allocation failed|RangeError: Invalid array length|ERR_FS_FILE_TOO_LARGE|ERR_BUFFER_TOO_LARGE/.test(stderr) && run.code !== 1) return bad('out-of-memory', lines.find((l) => /memory|Allocation|RangeError|TOO_LARGE/.test(l)));
  if (/^\s+at /m.test(stderr) || /unexpected error/.test(stderr)) return bad('stack-trace', lines[0]);
  if (run.signal || (run.code !== 0 && run.code !== 1 && run.code !== 2)) return bad('crash', `exit ${run.code ?? ''}${run.signal ? ` signal ${run.signal}` : ''}: ${lines[0] ?? ''}`);
  const work = (p) => join('work', p);
  const allowed = c.outputs.map(work);
  const outside = written.filter((p) => !within(p, allowed));
  if (run.code === 0) {
    if (c.expect === 'refuse') return bad('silent-acceptance', 'exit 0 on an input that must be refused');
    if (outside.length) return bad('wrote-outside', outside.slice(0, 3).join(', '));
    const stdoutProblem = checkStdout(c.check, run.stdout);
    if (stdoutProblem) return bad('nan-output', stdoutProblem);
    for (const p of written.filter((f) => /(\.npy|\.safetensors|model\.json|\.jsonl)$/.test(f))) {
      const problem = await checkOutputFile(join(caseDir, p), core).catch((e) => `${p}: unreadable output (${e.message})`);
      if (problem) return bad('nan-output', problem);
    }
    return good('accepted');
  }
  // Refused (exit 1 or 2).
  const usage = lines.length > 0 && lines[0].startsWith('error: ');
  if (c.expect === 'accept') return bad('refused-valid', lines[0]);
  if (outside.length) return bad('wrote-outside', outside.slice(0, 3).join(', '));
  if (written.length) return bad('partial-files', written.slice(0, 3).join(', '));
  if (usage) return good('usage-error', lines[0]);
  if (run.code !== 1 || lines.length !== 1 || !lines[0].startsWith('effnet: ')) return bad('messy-error', `${lines.length} lines on stderr: ${lines[0] ?? ''}`);
  const missing = c.mentions.find((m) => (Array.isArray(m) ? m.length > 0 && !m.some((x) => lines[0].includes(x)) : !lines[0].includes(m)));
  if (missing !== undefined) return bad('vague-error', `does not name ${JSON.stringify(missing)}: ${lines[0]}`);
  return good('refused', lines[0]);
}
