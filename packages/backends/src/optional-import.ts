import { EffnetError } from '@effnet/core';

/**
 * Imports an optional peer dependency, or throws an error that says what to install. The
 * specifier is built at run time so that bundlers do not try to include absent packages.
 */
export async function importOptional<T>(specifier: string, backend: string, install: string): Promise<T> {
  try {
    return (await dynamicImport(specifier)) as T;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find (module|package)/.test(String((e as Error).message))) {
      throw new EffnetError('BACKEND_UNAVAILABLE', `backend "${backend}" needs ${specifier}, which is not installed. Install it: ${install}`);
    }
    throw new EffnetError('BACKEND_UNAVAILABLE', `backend "${backend}" could not load ${specifier}: ${(e as Error).message}`);
  }
}

/**
 * A real dynamic `import()`, also from the CommonJS build (where bundlers rewrite `import()` to
 * `require()`, which cannot load ESM-only packages such as `webgpu` on Node 20).
 */
function dynamicImport(specifier: string): Promise<unknown> {
  const isNode = typeof process !== 'undefined' && !!process.versions?.node;
  if (isNode) return (new Function('s', 'return import(s)') as (s: string) => Promise<unknown>)(specifier);
  return import(/* @vite-ignore */ specifier);
}
