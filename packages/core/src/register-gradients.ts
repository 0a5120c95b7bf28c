/**
 * Registers the gradient of every TF.js op with the (global) TF.js engine. `@tensorflow/tfjs`
 * does this itself; `@tensorflow/tfjs-core` alone does not, and its registration module cannot be
 * imported by Node directly, so the build bundles it here. Importing it twice is harmless.
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients';
