import { EffnetError } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';
import type { ImageDataset } from './dataset.js';
import { decodeRgb } from './decode-image.js';
import { pixelsToBatch } from './grid-images.js';
import type { CropBox } from './random-crop.js';

const IMAGE_FILE = /\.(png|jpe?g)$/i;

/** A folder with one sub-folder per class (`root/<class>/<image>.jpg|png`); classes sorted by name. */
export class ImageFolderDataset implements ImageDataset {
  readonly length: number;
  readonly numClasses: number;

  private constructor(
    readonly source: string,
    readonly classNames: string[],
    private readonly files: string[],
    private readonly labels: Int32Array,
  ) {
    this.length = files.length;
    this.numClasses = classNames.length;
  }

  /**
   * Lists the images of `root`. An empty class folder, a folder without class sub-folders, or a
   * `classNames` list that does not match the folders stops with an error naming the folder.
   */
  static async open(root: string, options: { classNames?: string[] } = {}): Promise<ImageFolderDataset> {
    const { readdir } = await import('node:fs/promises');
    const path = await import('node:path');
    const entries = await readdir(root, { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
      throw new EffnetError('NOT_FOUND', `cannot read the dataset folder: ${e.code ?? e.message}`, { file: root });
    });
    const folders = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
    if (folders.length === 0) throw new EffnetError('BAD_DATASET', 'has no class sub-folders (expected <root>/<class>/<image>.png|jpg)', { file: root });
    const classNames = options.classNames ?? folders;
    const files: string[] = [];
    const labels: number[] = [];
    for (const folder of folders) {
      const label = classNames.indexOf(folder);
      const dir = path.join(root, folder);
      if (label === -1) throw new EffnetError('BAD_LABEL', 'is a class folder outside the class list', { file: dir, expected: classNames.join(', '), actual: folder });
      const images = (await readdir(dir)).filter((f) => IMAGE_FILE.test(f)).sort();
      if (images.length === 0) throw new EffnetError('EMPTY_CLASS', 'class folder has no .png or .jpg images', { file: dir });
      for (const f of images) {
        files.push(path.join(dir, f));
        labels.push(label);
      }
    }
    return new ImageFolderDataset(root, classNames, files, Int32Array.from(labels));
  }

  /** The file of example `index`. */
  file(index: number): string {
    return this.files[index]!;
  }

  label(index: number): number {
    return this.labels[index]!;
  }

  async load(indices: readonly number[], size: number, crops?: readonly (CropBox | undefined)[]): Promise<tf.Tensor4D> {
    const { readFile } = await import('node:fs/promises');
    const decoded = await Promise.all(
      indices.map(async (i) => {
        const file = this.files[i]!;
        const bytes = await readFile(file).catch((e: NodeJS.ErrnoException) => {
          throw new EffnetError('NOT_FOUND', `cannot read: ${e.code ?? e.message}`, { file });
        });
        return decodeRgb(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), file, size);
      }),
    );
    return tf.tidy(() => tf.concat(decoded.map((d, k) => pixelsToBatch(d.data, [1, d.height, d.width, 3], size, crops ? [crops[k]] : undefined)), 0) as tf.Tensor4D);
  }
}
