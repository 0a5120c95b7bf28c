import { EffnetError, isEffnetError } from '@effnet/core';

/** Decoded pixels: `width·height·3` RGB bytes, row-major. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

type Sharp = (input: Uint8Array) => {
  removeAlpha(): ReturnType<Sharp>;
  toColourspace(space: string): ReturnType<Sharp>;
  resize(w: number, h: number, o: { fit: string; kernel?: string }): ReturnType<Sharp>;
  raw(): ReturnType<Sharp>;
  toBuffer(o: { resolveWithObject: true }): Promise<{ data: Buffer; info: { width: number; height: number; channels: number } }>;
};

let sharpModule: Promise<Sharp | null> | undefined;

/** `sharp` when it is installed (fast, native, multi-threaded); null otherwise. */
export function loadSharp(): Promise<Sharp | null> {
  sharpModule ??= import('sharp' as string).then(
    (m: { default?: Sharp }) => (m.default ?? (m as unknown as Sharp)) as Sharp,
    () => null,
  );
  return sharpModule;
}

function isPng(b: Uint8Array): boolean {
  return b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
}

function isJpeg(b: Uint8Array): boolean {
  return b[0] === 0xff && b[1] === 0xd8;
}

/**
 * Decodes a PNG or JPEG file to RGB bytes, resized to `size`x`size` when given. Uses `sharp`
 * when installed, else the pure-JS pngjs / jpeg-js (the resize is then left to the caller, on the
 * device). A file that is not an image or does not decode throws an EffnetError naming it.
 */
export async function decodeRgb(bytes: Uint8Array, file: string, size?: number): Promise<RgbImage & { resized: boolean }> {
  if (!isPng(bytes) && !isJpeg(bytes)) throw new EffnetError('BAD_IMAGE', 'is not a PNG or JPEG image (by its first bytes)', { file });
  try {
    const sharp = await loadSharp();
    if (sharp) {
      let img = sharp(bytes).removeAlpha().toColourspace('srgb');
      if (size) img = img.resize(size, size, { fit: 'fill' });
      const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
      return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), resized: size !== undefined };
    }
    let width: number;
    let height: number;
    let rgba: Uint8Array;
    if (isPng(bytes)) {
      const { PNG } = await import('pngjs');
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      ({ width, height } = png);
      rgba = new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength);
    } else {
      const jpeg = await import('jpeg-js');
      const img = (jpeg.default ?? jpeg).decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
      ({ width, height } = img);
      rgba = img.data;
    }
    const rgb = new Uint8Array(width * height * 3);
    for (let i = 0, j = 0; i < width * height; i++, j += 4) {
      rgb[i * 3] = rgba[j]!;
      rgb[i * 3 + 1] = rgba[j + 1]!;
      rgb[i * 3 + 2] = rgba[j + 2]!;
    }
    return { width, height, data: rgb, resized: false };
  } catch (e) {
    if (isEffnetError(e)) throw e;
    throw new EffnetError('BAD_IMAGE', `could not be decoded: ${(e as Error).message}`, { file });
  }
}
