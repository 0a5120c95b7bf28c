import { EffnetError } from '../errors.js';

/** Node's fs/promises and path, loaded lazily so that browser bundles of core never need them. */
export async function nodeFs(): Promise<{ fs: typeof import('node:fs/promises'); path: typeof import('node:path') }> {
  const [fs, path] = await Promise.all([import('node:fs/promises'), import('node:path')]);
  return { fs, path };
}

/**
 * Writes a file atomically: the bytes go to a temporary file in the same folder, which is then
 * renamed over the target, so a reader never sees a half-written file.
 */
export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const { fs, path } = await nodeFs();
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true });
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
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/**
 * Fills a new folder with `write(tmpDir)` and then moves it into place as `dir`, replacing a
 * previous folder only once the new one is complete. `mayReplace(dir)` decides whether an
 * existing folder may be replaced.
 */
export async function writeDirAtomic(dir: string, write: (tmpDir: string) => Promise<void>, mayReplace: (dir: string) => Promise<boolean>): Promise<void> {
  const { fs, path } = await nodeFs();
  const target = path.resolve(dir);
  const parent = path.dirname(target);
  await fs.mkdir(parent, { recursive: true });
  const suffix = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  const tmp = path.join(parent, `.${path.basename(target)}.tmp-${suffix}`);
  const exists = await fs.stat(target).then(() => true, () => false);
  if (exists && !(await mayReplace(target))) {
    throw new EffnetError('REFUSE_OVERWRITE', 'exists and is not a model folder; refusing to replace it', { file: dir });
  }
  await fs.mkdir(tmp);
  try {
    await write(tmp);
    if (exists) {
      const old = path.join(parent, `.${path.basename(target)}.old-${suffix}`);
      await fs.rename(target, old);
      await fs.rename(tmp, target);
      await fs.rm(old, { recursive: true, force: true });
    } else {
      await fs.rename(tmp, target);
    }
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw e;
  }
}
