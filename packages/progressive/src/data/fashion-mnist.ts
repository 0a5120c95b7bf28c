import { EffnetError } from '@effnet/core';
import { loadIdxDataset, type PixelDataset } from './idx-dataset.js';

/** Fashion-MNIST's class names, index = label. */
export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** Where Debian's `dataset-fashion-mnist` package puts the files. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

const FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

/** The official split: 60,000 training and 10,000 test images, 28x28 grayscale, 10 classes. */
export interface FashionMnist {
  train: PixelDataset;
  test: PixelDataset;
  dir: string;
}

/**
 * Loads Fashion-MNIST from the first of `dirs` that holds the four IDX files (`.gz` or not).
 * `limit` keeps the first examples of each split (for quick runs).
 */
export async function loadFashionMnist(dirs: readonly string[], limit: { train?: number; test?: number } = {}): Promise<FashionMnist> {
  const { existsSync } = await import('node:fs');
  const path = await import('node:path');
  const find = (dir: string, base: string) => [path.join(dir, `${base}.gz`), path.join(dir, base)].find((f) => existsSync(f));
  for (const dir of dirs) {
    const f = Object.fromEntries(Object.entries(FILES).map(([k, base]) => [k, find(dir, base)])) as Record<keyof typeof FILES, string | undefined>;
    if (!f.trainImages || !f.trainLabels || !f.testImages || !f.testLabels) continue;
    const common = { numClasses: 10, classNames: FASHION_MNIST_CLASSES };
    const train = await loadIdxDataset({ images: f.trainImages, labels: f.trainLabels, ...common, ...(limit.train ? { limit: limit.train } : {}) });
    const test = await loadIdxDataset({ images: f.testImages, labels: f.testLabels, ...common, ...(limit.test ? { limit: limit.test } : {}) });
    return { train, test, dir };
  }
  throw new EffnetError('NOT_FOUND', `Fashion-MNIST not found: looked for ${Object.values(FILES).join(', ')} (.gz) in ${dirs.join(', ')}`, {
    expected: 'the four IDX files (apt-get install dataset-fashion-mnist, or https://github.com/zalandoresearch/fashion-mnist)',
  });
}
