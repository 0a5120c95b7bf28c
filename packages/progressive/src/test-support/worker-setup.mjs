// Set-up module for the gradient workers started by the data-parallel tests: the tiny model's
// blocks and variants, on TF.js's cpu backend (as the tests' main thread).
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { registerBlocks } from '@effnet/blocks';
import { registerVariants } from '@effnet/scaling';

export default async function setup(argument) {
  if (argument === 'fail') throw new Error('this set-up fails on purpose');
  registerBlocks();
  registerVariants();
  await tf.setBackend('cpu');
}
