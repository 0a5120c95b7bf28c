import { EffnetError, isEffnetError } from '@effnet/core';
import * as tf from '@tensorflow/tfjs-core';

/** Decodes a JPEG or PNG file into a [1, H, W, 3] int32 tensor of 0..255 RGB values. */
export async function decodeImage(bytes: Uint8Array, file: string): Promise<tf.Tensor4D> {
  const isPng = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const isJpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  let width: number;
  let height: number;
  let rgba: Uint8Array;
  try {
    if (isPng) {
      const { PNG } = await import('pngjs');
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      ({ width, height } = png);
      rgba = new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength);
    } else if (isJpeg) {
      const jpeg = await import('jpeg-js');
      const img = (jpeg.default ?? jpeg).decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
      ({ width, height } = img);
      rgba = img.data;
    } else {
      throw new EffnetError('BAD_IMAGE', 'is not a PNG or JPEG image (by its first bytes)', { file });
    }
  } catch (e) {
    if (isEffnetError(e)) throw e;
    throw new EffnetError('BAD_IMAGE', `could not be decoded: ${(e as Error).message}`, { file });
  }
  const rgb = new Int32Array(width * height * 3);
  for (let i = 0, j = 0; i < width * height; i++, j += 4) {
    rgb[i * 3] = rgba[j]!;
    rgb[i * 3 + 1] = rgba[j + 1]!;
    rgb[i * 3 + 2] = rgba[j + 2]!;
  }
  return tf.tensor4d(rgb, [1, height, width, 3], 'int32');
}
