import { EffnetError } from '../errors.js';
import { makeFolder, nodeFs, processAlive, writeError } from './node-fs.js';
import { checkOutputPath } from './output-path.js';

/** Name of the lock file a writer keeps in its output folder. */
export const LOCK_FILE = '.effnet.lock';

/** Who holds a folder's lock (the content of its lock file). */
export interface LockHolder {
  pid: number;
  host: string;
  /** What the holder is doing, e.g. `effnet fashion-mnist`. */
  command: string;
  /** ISO time the lock was taken. */
  since: string;
}

/** Releases a lock taken by {@link lockFolder} (idempotent). */
export type ReleaseLock = () => Promise<void>;

const held = new Map<string, { count: number }>();

function describeHolder(h: LockHolder): string {
  return `pid ${h.pid} on ${h.host} (${h.command}) since ${h.since}`;
}

/**
 * Takes the write lock of folder `dir` (created if missing) for `command`: a lock file made with
 * exclusive create. A second writer gets a one-line error naming the holder; a lock left by a
 * process that no longer runs on this machine (killed) is taken over. The same process may lock
 * a folder again (nested writers); the file goes when the last of them releases it.
 */
export async function lockFolder(dir: string, command: string): Promise<ReleaseLock> {
  const { fs, path } = await nodeFs();
  const os = await import('node:os');
  const folder = path.resolve(dir);
  const mine = held.get(folder);
  if (mine) {
    mine.count++;
    return onceRelease(folder);
  }
  const kind = await fs.stat(folder).then((st) => (st.isDirectory() ? 'folder' : 'file'), () => 'missing');
  if (kind === 'file') throw new EffnetError('NOT_A_FOLDER', 'is a file, not a folder', { file: dir, expected: 'a folder for the output', actual: 'a file' });
  await checkOutputPath(dir, 'folder');
  await makeFolder(folder);
  const file = path.join(folder, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, host: os.hostname(), command, since: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.writeFile(file, `${JSON.stringify(me)}\n`, { flag: 'wx' });
      held.set(folder, { count: 1 });
      return onceRelease(folder);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        // Disk full or read-only: leave nothing behind (a half-written lock, a folder made for it).
        await fs.rm(file, { force: true }).catch(() => undefined);
        if (kind === 'missing') await fs.rmdir(folder).catch(() => undefined);
        throw writeError(e, dir);
      }
    }
    const holder = await readHolder(file);
    // An unreadable lock is a holder killed between creating the file and writing it, once it is old.
    const age = await fs.stat(file).then((st) => Date.now() - st.mtimeMs, () => Infinity);
    const stale = holder === undefined ? age > 10_000 : holder.host === me.host && !processAlive(holder.pid);
    if (!stale || attempt > 2) {
      throw new EffnetError('FOLDER_LOCKED', 'is being written by another run; wait for it, or choose another output folder', {
        file: dir,
        expected: 'no other writer',
        actual: holder ? describeHolder(holder) : `an unreadable ${LOCK_FILE}`,
      });
    }
    // The holder was killed: take its lock over (only one taker wins the exclusive create).
    await fs.rm(file, { force: true });
  }
}

async function readHolder(file: string): Promise<LockHolder | undefined> {
  const { fs } = await nodeFs();
  try {
    const h = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<LockHolder>;
    return typeof h.pid === 'number' && typeof h.host === 'string' ? { pid: h.pid, host: h.host, command: String(h.command ?? '?'), since: String(h.since ?? '?') } : undefined;
  } catch {
    return undefined;
  }
}

function onceRelease(folder: string): ReleaseLock {
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    const entry = held.get(folder);
    if (!entry || --entry.count > 0) return;
    held.delete(folder);
    const { fs, path } = await nodeFs();
    await fs.rm(path.join(folder, LOCK_FILE), { force: true });
  };
}
