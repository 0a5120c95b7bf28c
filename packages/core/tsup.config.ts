import { createRequire } from 'node:module';
import { defineConfig, type Options } from 'tsup';
import { packageBuild } from '../../tsup.shared';

const require = createRequire(import.meta.url);

/**
 * tfjs-core's gradient registration (`dist/register_all_gradients`) is ESM without file
 * extensions, which Node cannot load, and @tensorflow/tfjs-core's Node bundle leaves it out.
 * Bundle it into our build, as @tensorflow/tfjs does: it registers into the one global engine.
 */
const bundleTfjsGradients: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'bundle-tfjs-gradients',
  setup(build) {
    build.onResolve({ filter: /^@tensorflow\/tfjs-core\/dist\/register_all_gradients$/ }, () => ({
      path: require.resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js'),
      sideEffects: true,
    }));
  },
};

export default defineConfig(
  packageBuild({
    noExternal: [/^@tensorflow\/tfjs-core\/dist\/register_all_gradients$/],
    esbuildPlugins: [bundleTfjsGradients],
  }),
);
