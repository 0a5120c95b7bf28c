import type { NamedPlugin } from '@effnet/core';
import type { RuntimeEnvironment } from './environment.js';
import type { InstalledPatch } from './kernels/install-kernels.js';

/**
 * A TF.js backend as effnet uses it: how to load it (lazily: heavy and native packages are
 * optional peers), which kernels to add or fix for it, and how fast it usually is.
 */
export interface BackendAdapter extends NamedPlugin {
  /** The TF.js backend name it registers (`cpu`, `wasm`, `webgpu`, `webgl`, `tensorflow`). */
  tfName: string;
  /** Higher is tried first by `auto`. */
  priority: number;
  /** Where it can run. */
  environments: readonly RuntimeEnvironment[];
  /** What to install when it is missing (shown in errors). */
  install: string;
  /**
   * Imports the packages, registers the TF.js backend (its factory runs on first use) and
   * installs effnet's kernels. Throws an EffnetError saying what to install when a package is
   * missing. Called at most once per process.
   */
  load(): Promise<InstalledPatch[]>;
  /**
   * A reason why this backend is slower here than its priority suggests (e.g. a
   * software-rendered GPU), so that `auto` moves on to the next candidate. Asked before loading
   * (what can be known up front) and again after initialisation.
   */
  slowReason?(): string | undefined;
}

/** Augments the core registry with the `backend` plugin kind. */
declare module '@effnet/core' {
  interface PluginKinds {
    backend: BackendAdapter;
  }
}
