import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root. */
export const REPO_ROOT = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');

/** Golden data of the independent implementation (`../shared/golden` beside the repository). */
export function sharedGolden(name: string): string {
  const dir = path.resolve(REPO_ROOT, '../shared/golden', name);
  if (!existsSync(dir)) throw new Error(`golden case ${dir} is missing: the tests need ../shared/golden beside the repository`);
  return dir;
}

/** Golden cases committed in this repository (`fixtures/golden`). */
export function repoGolden(name: string): string {
  return path.resolve(REPO_ROOT, 'fixtures/golden', name);
}
