import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared';

// The gradient worker and the batch loader are separate entries: worker threads load them from dist/.
export default defineConfig(packageBuild({ entry: ['src/index.ts', 'src/gradient-worker.ts', 'src/batch-loader.ts'], dts: { entry: 'src/index.ts' } }));
