import { EffnetError } from '../errors.js';

/**
 * Checks, before anything is written, that `target` can be written as a `kind` (`file` or
 * `folder`) in Node: the path is not empty, an existing target is of that kind (a file is not
 * replaced by a folder or the other way round), and the nearest existing folder above it is a
 * folder, not a file. Errors are one line naming the path, instead of `ENOTDIR` or `EISDIR`
 * from halfway through a write.
 */
export async function checkOutputPath(target: string, kind: 'file' | 'folder'): Promise<void> {
  const [fs, path] = await Promise.all([import('node:fs/promises'), import('node:path')]);
  if (target.trim() === '') throw new EffnetError('BAD_OUTPUT', 'an output path must not be empty', { field: 'output', expected: `a ${kind} path`, actual: '""' });
  const describe = (st: { isDirectory(): boolean; isFile(): boolean }) => (st.isDirectory() ? 'a folder' : st.isFile() ? 'a file' : 'a device, pipe or socket');
  const st = await fs.stat(target).catch(() => undefined);
  if (st && (kind === 'folder' ? !st.isDirectory() : !st.isFile())) {
    throw new EffnetError('REFUSE_OVERWRITE', `exists and is not a ${kind}; refusing to replace it`, { file: target, expected: `a ${kind}`, actual: describe(st) });
  }
  let parent = path.dirname(path.resolve(target));
  for (;;) {
    const p = await fs.stat(parent).catch(() => undefined);
    if (p) {
      if (!p.isDirectory()) throw new EffnetError('NOT_A_FOLDER', `cannot be written: ${parent} is ${describe(p)}, not a folder`, { file: target });
      return;
    }
    const up = path.dirname(parent);
    if (up === parent) return;
    parent = up;
  }
}
