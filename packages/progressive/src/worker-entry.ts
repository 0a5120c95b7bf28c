/**
 * The path of one of this package's built worker entries (`dist/<file>`), found from ESM, CJS or
 * source; undefined outside Node or when the package has not been built.
 */
export async function packageWorkerEntry(file: string): Promise<string | undefined> {
  try {
    const [{ createRequire }, path, { fileURLToPath }, { existsSync }] = await Promise.all([import('node:module'), import('node:path'), import('node:url'), import('node:fs')]);
    const here = typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url);
    const manifest = createRequire(here).resolve('@effnet/progressive/package.json');
    const entry = path.join(path.dirname(manifest), 'dist', file);
    return existsSync(entry) ? entry : undefined;
  } catch {
    return undefined;
  }
}
