import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@effnet/core': src('core'),
      '@effnet/blocks': src('blocks'),
      '@effnet/scaling': src('scaling'),
      '@effnet/backends': src('backends'),
      '@effnet/augment': src('augment'),
      '@effnet/hub': src('hub'),
      '@effnet/progressive': src('progressive'),
    },
  },
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      ...['core', 'blocks', 'scaling', 'backends', 'augment', 'cli', 'hub', 'progressive'].map((name) => ({
        extends: true as const,
        test: { name, root: `packages/${name}`, include: ['src/**/*.test.ts'] },
      })),
      { extends: true as const, test: { name: 'consumer', root: 'test/consumer', include: ['*.test.ts'] } },
      { extends: true as const, test: { name: 'docs', root: 'test/docs', include: ['*.test.ts'] } },
      { extends: true as const, test: { name: 'fuzz', root: 'scripts/fuzz', include: ['fuzz-quick.test.ts'] } },
    ],
  },
});
