import { createRequire } from 'node:module';

/**
 * Why the heavy tfjs-node tests cannot run here ('' when they can): the addon is built by
 * `effnet backend setup tfjs-node --from-python` (the heavy suite's prepare script runs it).
 * Under CI a missing addon throws: the tests fail rather than skip.
 */
export function tfjsNodeMissing(): string {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return '';
  } catch {
    const why = '@tensorflow/tfjs-node is not installed here (run: effnet backend setup tfjs-node --from-python)';
    if (process.env.CI) throw new Error(`CI: ${why}`);
    return why;
  }
}

/** Native TensorFlow sessions tfjs-node holds (each compiled graph has one). */
export async function nativeSessionCount(): Promise<number> {
  const name = '@tensorflow/tfjs-node';
  const node = (await import(name)) as { node: { getNumOfSavedModels(): number } };
  return node.node.getNumOfSavedModels();
}
