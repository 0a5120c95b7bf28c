import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config';

/** The heavy suite (`npm run test:heavy`): native and Python-backed checks, run by CI after npm test. */
export default mergeConfig(
  { ...base, test: { ...base.test, projects: undefined } },
  defineConfig({
    test: {
      // One file at a time: the suite starts native TensorFlow, Python and many child processes,
      // and files in parallel compete for the two cores, thread limits and memory (readers racing
      // a writer, timing-sensitive faults).
      fileParallelism: false,
      maxWorkers: 1,
      projects: [
        { extends: true, test: { name: 'heavy-backends', root: 'packages/backends', include: ['heavy/**/*.test.ts'] } },
        { extends: true, test: { name: 'heavy-interop', root: 'scripts/heavy', include: ['*.test.ts'], testTimeout: 30 * 60_000 } },
        { extends: true, test: { name: 'heavy-faults', root: 'scripts/faults', include: ['*.test.ts'], testTimeout: 30 * 60_000 } },
        { extends: true, test: { name: 'heavy-fuzz', root: 'scripts/fuzz', include: ['fuzz-full.test.ts'], testTimeout: 30 * 60_000 } },
      ],
    },
  }),
);
