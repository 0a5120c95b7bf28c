import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared';

// The gradient worker is a separate entry: worker threads load dist/gradient-worker.js.
export default defineConfig(packageBuild({ entry: ['src/index.ts', 'src/gradient-worker.ts'], dts: { entry: 'src/index.ts' } }));
