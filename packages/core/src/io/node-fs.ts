import { EffnetError } from '../errors.js';
import { checkOutputPath } from './output-path.js';

/** Node's fs/promises and path, loaded lazily so that browser bundles of core never need them. */
export async function nodeFs(): Promise<{ fs: typeof import('node:fs/promises'); path: typeof import('node:path') }> {
  const [fs, path] = await Promise.all([import('node:fs/promises'), import('node:path')]);
  return { fs, path };
}

/** What the file-system errors a write can meet mean, in words. */
const FILE_SYSTEM_ERRORS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EFBIG: 'file too large for the file system',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EIO: 'input/output error',
};

/** The cause of a file-system error (disk full, read-only, no permission...) in words, or undefined for other errors. */
export function fileSystemReason(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && Object.hasOwn(FILE_SYSTEM_ERRORS, code) ? FILE_SYSTEM_ERRORS[code] : undefined;
}

/**
 * The one-line {@link EffnetError} for a file-system error (disk full, read-only, no permission)
 * met while writing `target`, naming the path and the cause; other errors come back as they are.
 */
export function writeError(e: unknown, target: string): unknown {
  const reason = fileSystemReason(e);
  const code = (e as NodeJS.ErrnoException).code;
  if (!reason) return e;
  return new EffnetError('WRITE_FAILED', `cannot write: ${reason} (${code}); nothing was written`, { file: target });
}

/**
 * Creates folder `dir` and its missing parents; a failure (disk full, read-only, no permission)
 * is the one-line {@link writeError} naming `dir`. Node reports a recursive mkdir on a read-only
 * file system as ENOENT, so the first missing folder is created alone to learn the real cause.
 */
export async function makeFolder(dir: string): Promise<string | undefined> {
  const { fs, path } = await nodeFs();
  try {
    return await fs.mkdir(dir, { recursive: true });
  } catch (e) {
    let missing = path.resolve(dir);
    while (!(await fs.stat(path.dirname(missing)).then(() => true, () => false)) && path.dirname(missing) !== missing) missing = path.dirname(missing);
    const cause = await fs.mkdir(missing).then(() => e, (again: unknown) => again);
    throw writeError(cause, dir);
  }
}

/** Removes `dir` and its parents up to `first` (what {@link makeFolder} created), as long as they are empty. */
async function removeMadeFolders(dir: string, first: string | undefined): Promise<void> {
  if (!first) return;
  const { fs, path } = await nodeFs();
  const stop = path.resolve(first);
  for (let d = path.resolve(dir); d.startsWith(stop); d = path.dirname(d)) {
    if (!(await fs.rmdir(d).then(() => true, () => false)) || d === stop) return;
  }
}

/**
 * Writes a file atomically: the bytes go to a temporary file in the same folder, which is then
 * renamed over the target, so a reader never sees a half-written file.
 */
export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const { fs, path } = await nodeFs();
  await checkOutputPath(file, 'file');
  const dir = path.dirname(file);
  const made = await makeFolder(dir);
  const tmp = path.join(dir, `.${path.basename(file)}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
  try {
    const handle = await fs.open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    await removeMadeFolders(dir, made);
    throw writeError(e, file);
  }
}

/** A leftover of {@link writeDirAtomic} beside `dir`: `.<name>.tmp-<pid>-<id>` or `.<name>.old-<pid>-<id>`. */
interface Leftover {
  entry: string;
  kind: 'tmp' | 'old';
  pid: number;
  id: string;
}

/** True when process `pid` is alive on this machine. */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Finishes or undoes what an interrupted {@link writeDirAtomic} of `dir` left behind (a process
 * killed while it wrote): when `dir` is missing because the writer died between its two renames,
 * the complete new folder is moved into place (else the previous one); then the temporary and
 * previous folders of writers that are no longer running are removed. Leftovers of a live writer
 * are not touched. Returns what it did, one line per action.
 */
export async function recoverDir(dir: string): Promise<string[]> {
  const { fs, path } = await nodeFs();
  const target = path.resolve(dir);
  const parent = path.dirname(target);
  const pattern = new RegExp(`^\\.${escapeRegExp(path.basename(target))}\\.(tmp|old)-([0-9]+)-([a-z0-9]+)$`);
  const entries = await fs.readdir(parent).catch(() => [] as string[]);
  const leftovers: Leftover[] = [];
  for (const entry of entries) {
    const m = pattern.exec(entry);
    if (m && !processAlive(Number(m[2]))) leftovers.push({ entry, kind: m[1] as 'tmp' | 'old', pid: Number(m[2]), id: m[3]! });
  }
  const done: string[] = [];
  if (!leftovers.length) return done;
  const exists = await fs.stat(target).then(() => true, () => false);
  if (!exists) {
    // Killed between the renames: `.old-S` is the previous folder and `.tmp-S` the complete new one.
    const old = leftovers.find((l) => l.kind === 'old');
    const fresh = old && leftovers.find((l) => l.kind === 'tmp' && l.pid === old.pid && l.id === old.id);
    const restore = fresh ?? old;
    if (restore) {
      await fs.rename(path.join(parent, restore.entry), target);
      done.push(`${dir}: restored ${fresh ? 'the new folder' : 'the previous folder'} an interrupted write left as ${restore.entry}`);
      leftovers.splice(leftovers.indexOf(restore), 1);
    }
  }
  for (const l of leftovers) {
    await fs.rm(path.join(parent, l.entry), { recursive: true, force: true });
    done.push(`${dir}: removed ${l.entry}, left by an interrupted write`);
  }
  return done;
}

const faultCounts = new Map<string, number>();

/**
 * Fault injection for the fault-tolerance suite (scripts/faults): with
 * `EFFNET_FAULT=kill:<folder name>:<phase>[:<n>]` the process kills itself with SIGKILL at the
 * n-th (default first) write of a folder of that name, at `written` (the new folder complete, not
 * yet in place) or `between` (the previous folder moved aside, the new one not yet in place).
 * Without the variable this does nothing.
 */
export function faultPoint(name: string, phase: string): void {
  const spec = typeof process !== 'undefined' ? process.env?.EFFNET_FAULT : undefined;
  if (!spec) return;
  const [action, folder, at, nth] = spec.split(':');
  if (action !== 'kill' || folder !== name || at !== phase) return;
  const key = `${name}:${phase}`;
  const count = (faultCounts.get(key) ?? 0) + 1;
  faultCounts.set(key, count);
  if (count === Number(nth ?? 1)) process.kill(process.pid, 'SIGKILL');
}

/**
 * Fills a new folder with `write(tmpDir)` and then moves it into place as `dir`, replacing a
 * previous folder only once the new one is complete. `mayReplace(dir)` decides whether an
 * existing folder may be replaced. What an earlier, interrupted write left behind is recovered
 * first ({@link recoverDir}).
 */
export async function writeDirAtomic(dir: string, write: (tmpDir: string) => Promise<void>, mayReplace: (dir: string) => Promise<boolean>): Promise<void> {
  const { fs, path } = await nodeFs();
  await checkOutputPath(dir, 'folder');
  const target = path.resolve(dir);
  const parent = path.dirname(target);
  const made = await makeFolder(parent);
  await recoverDir(target);
  const suffix = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  const tmp = path.join(parent, `.${path.basename(target)}.tmp-${suffix}`);
  const exists = await fs.stat(target).then(() => true, () => false);
  if (exists && !(await mayReplace(target))) {
    throw new EffnetError('REFUSE_OVERWRITE', 'exists and is not a model folder; refusing to replace it', { file: dir });
  }
  const old = path.join(parent, `.${path.basename(target)}.old-${suffix}`);
  try {
    await fs.mkdir(tmp);
    await write(tmp);
    faultPoint(path.basename(target), 'written');
    if (exists) {
      await fs.rename(target, old);
      faultPoint(path.basename(target), 'between');
      await fs.rename(tmp, target);
      await fs.rm(old, { recursive: true, force: true });
    } else {
      await fs.rename(tmp, target);
    }
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    // The previous folder goes back in place if the new one could not take it.
    if (exists && !(await fs.stat(target).then(() => true, () => false))) await fs.rename(old, target).catch(() => undefined);
    await removeMadeFolders(parent, made);
    throw writeError(e, dir);
  }
}
