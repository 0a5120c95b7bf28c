/** Where code runs. */
export type RuntimeEnvironment = 'node' | 'browser';

/** 'node' under Node.js, else 'browser' (including web workers). */
export function runtimeEnvironment(): RuntimeEnvironment {
  return typeof process !== 'undefined' && !!process.versions?.node && typeof (globalThis as { window?: unknown }).window === 'undefined' ? 'node' : 'browser';
}
