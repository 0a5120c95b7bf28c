import { getRegistry, type NamedPlugin } from '@effnet/core';

/**
 * A published model variant whose package has been imported: its entry module registers this
 * under the package name, so {@link loadVariant} finds the weights next to it (in Node and in
 * bundlers alike).
 */
export interface PretrainedVariant extends NamedPlugin {
  /** The package version. */
  version: string;
  /** The package's `variant.json`, as it was packed. */
  metadata: Record<string, unknown>;
  /** URL of the model's `model.json` (a `file:` URL in Node). */
  modelUrl: string;
}

declare module '@effnet/core' {
  interface PluginKinds {
    pretrained: PretrainedVariant;
  }
}

/** Registry kind under which variant packages register themselves. */
export const PRETRAINED_KIND = 'pretrained';

/** Names of the variant packages imported so far, matching the wildcard patterns (all when none). */
export function listPretrained(...patterns: string[]): string[] {
  return getRegistry(PRETRAINED_KIND).list(...patterns).map((p) => p.name);
}
