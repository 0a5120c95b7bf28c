import { EffnetError } from '@effnet/core';

/**
 * Imports an optional peer dependency, or throws an error that says what to install. The
 * specifier is a variable so that bundlers do not try to include absent packages. (The CommonJS
 * build turns this into `require()`, which loads ESM-only packages from Node 20.19 on.)
 */
export async function importOptional<T>(specifier: string, backend: string, install: string): Promise<T> {
  try {
    return (await import(/* @vite-ignore */ specifier)) as T;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find (module|package)|Could not resolve|Failed to resolve/.test(String((e as Error).message))) {
      throw new EffnetError('BACKEND_UNAVAILABLE', `backend "${backend}" needs ${specifier}, which is not installed. Install it: ${install}`);
    }
    throw new EffnetError('BACKEND_UNAVAILABLE', `backend "${backend}" could not load ${specifier}: ${(e as Error).message}`);
  }
}

