import { EffnetError } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';

/** Backends this build of the CLI can start. */
export const CLI_BACKENDS = ['cpu'] as const;

/**
 * Starts a TF.js backend by name (`auto` picks the fastest available) and returns its name.
 * This CLI ships the `cpu` backend; others come with `@effnet/backends`.
 */
export async function useBackend(name = 'auto'): Promise<string> {
  if (name === 'auto' || name === 'cpu') {
    await import('@tensorflow/tfjs-backend-cpu');
    tf.enableProdMode();
    await tf.setBackend('cpu');
    await tf.ready();
    return 'cpu';
  }
  throw new EffnetError('UNKNOWN_BACKEND', `unknown or unavailable backend "${name}"; available here: ${CLI_BACKENDS.join(', ')}, auto`, {
    field: '--backend',
    expected: [...CLI_BACKENDS, 'auto'].join(' | '),
    actual: name,
  });
}
