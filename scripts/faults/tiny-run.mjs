// What the fault scripts train: a two-block network on 12x12 IDX images, class c lighting corner
// c of the image, two stages of a progressive schedule. Seconds per run on the cpu backend.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The architecture (effnet's config JSON). */
export const TINY = { blocks: ['r1_k3_s1_e1_i8_o8_c1', 'r1_k3_s2_e2_i8_o16_se0.25'], stemChannels: 8, headChannels: 32, name: 'tiny' };
/** Two stages: 12 px then 16 px with RandAugment. */
export const SCHEDULE = { name: 'faults', stages: [{ endEpoch: 2, imageSize: 12, dropout: 0.1 }, { endEpoch: 4, imageSize: 16, dropout: 0.2, randAugmentMagnitude: 3 }] };

function idx(shape, data) {
  const out = new Uint8Array(4 + 4 * shape.length + data.length);
  out.set([0, 0, 8, shape.length]);
  shape.forEach((d, i) => new DataView(out.buffer).setUint32(4 + 4 * i, d));
  out.set(data, 4 + 4 * shape.length);
  return out;
}

/** IDX files `<split>-images-idx3-ubyte` / `<split>-labels-idx1-ubyte` of `n` 12x12 images in `dir`. */
export async function writeData(dir, split, n) {
  await mkdir(dir, { recursive: true });
  const px = new Uint8Array(n * 144);
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 3);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    const [r0, c0] = [c >> 1 ? 6 : 0, c & 1 ? 6 : 0];
    for (let r = 0; r < 12; r++) for (let q = 0; q < 12; q++) px[i * 144 + r * 12 + q] = (r >= r0 && r < r0 + 6 && q >= c0 && q < c0 + 6 ? 180 : 0) + ((i * 31 + r * 7 + q * 13) % 50);
  }
  await writeFile(path.join(dir, `${split}-images-idx3-ubyte`), idx([n, 12, 12], px));
  await writeFile(path.join(dir, `${split}-labels-idx1-ubyte`), idx([n], labels));
}

/** Writes the data (64 training, 24 test images), `tiny.json` and `schedule.json` into `work`. */
export async function writeTinyRun(work) {
  await writeData(path.join(work, 'data'), 'train', 64);
  await writeData(path.join(work, 'data'), 't10k', 24);
  await writeFile(path.join(work, 'tiny.json'), JSON.stringify(TINY));
  await writeFile(path.join(work, 'schedule.json'), JSON.stringify(SCHEDULE));
}
