import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KERNELS_SOURCE_SHA256, KERNELS_THREADS_WASM_BASE64, KERNELS_WASM_BASE64 } from './kernels-binary.js';

const script = path.resolve(__dirname, '../../scripts/build-kernels.mjs');

/** Whether clang 14 with the wasm32 target and binaryen's wasm-opt (which clang runs on its output) are on this machine. */
function hasClang(): boolean {
  try {
    execFileSync('clang-14', ['--version'], { stdio: 'ignore' });
    execFileSync('wasm-opt', ['--version'], { stdio: 'ignore' });
    return existsSync('/usr/bin/wasm-ld-14') || existsSync('/usr/lib/llvm-14/bin/wasm-ld');
  } catch {
    return false;
  }
}

describe('the committed kernels modules', () => {
  it('was built from the C sources in wasm-kernels/ as they are now', async () => {
    const { sources } = (await import(script)) as {
      sources: () => { sha256: string };
    };
    expect(KERNELS_SOURCE_SHA256).toBe(sources().sha256);
  });

  it('are exactly what clang 14 builds from them (reproducible build)', async () => {
    // CI installs clang (scripts/ensure-installed.mjs); a developer machine without it is told how.
    if (!hasClang()) {
      if (process.env.CI === 'true') throw new Error('clang-14, lld-14 and binaryen are needed to check the kernels module: apt-get install clang-14 lld-14 binaryen');
      console.warn('clang-14, lld-14 or binaryen is not installed: the kernels module was not rebuilt (apt-get install clang-14 lld-14 binaryen)');
      return;
    }
    const { compile } = (await import(script)) as { compile: (variant: string) => Buffer };
    expect(compile('single').toString('base64')).toBe(KERNELS_WASM_BASE64);
    expect(compile('threads').toString('base64')).toBe(KERNELS_THREADS_WASM_BASE64);
  });
});
