import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalRegistry, type LocalRegistry } from '../../../../scripts/local-registry.mjs';

/** A verdaccio registry in a temporary folder, a publisher's token, and an npm setup that ignores the user's own `.npmrc`. */
export interface RegistryFixture {
  registry: LocalRegistry;
  token: string;
  /** Temporary folder for the test's own files. */
  work: string;
  /** Environment for npm and the code under test: an empty user config, no token. */
  env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

/**
 * Starts a local registry (no uplinks, htpasswd users) and points npm's user config at an empty
 * file, so nothing from the machine's `~/.npmrc` or environment leaks in.
 */
export async function startRegistryFixture(): Promise<RegistryFixture> {
  const work = await mkdtemp(path.join(tmpdir(), 'effnet-registry-'));
  const registry = await startLocalRegistry({ dir: path.join(work, 'verdaccio') });
  const token = await registry.addUser();
  const userconfig = path.join(work, 'empty.npmrc');
  await writeFile(userconfig, '');
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_userconfig: userconfig, npm_config_cache: path.join(work, 'npm-cache'), EFFNET_CACHE: path.join(work, 'cache') };
  for (const key of Object.keys(env)) if (/^npm_config_(registry|.*_authtoken)$/i.test(key) || key === 'NPM_TOKEN') delete env[key];
  return {
    registry,
    token,
    work,
    env,
    async cleanup() {
      await registry.stop();
      await rm(work, { recursive: true, force: true });
    },
  };
}
