import { useBackend as startBackend, type BackendInfo } from '@effnet/backends';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Starts a TF.js backend by name or `auto` (the fastest that initialises here) through
 * @effnet/backends, silences TF.js's console banners, and returns the adapter's name.
 */
export async function useBackend(name = 'auto'): Promise<string> {
  return (await startBackendInfo(name)).name;
}

/** Like {@link useBackend}, with the details of what started and what `auto` skipped. */
export async function startBackendInfo(name = 'auto'): Promise<BackendInfo> {
  tf.enableProdMode();
  return startBackend(name);
}
