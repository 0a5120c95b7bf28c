import type { Options } from 'tsup';

/** The build every package shares: ESM + CJS + .d.ts from src/index.ts into dist/. */
export function packageBuild(overrides: Options = {}): Options {
  return {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    tsconfig: '../../tsconfig.build.json',
    ...overrides,
  };
}
