import { GLYPH, glyphRows } from './bitmap-font.js';

/** An RGB colour, 0..255 each. */
export type Rgb = readonly [number, number, number];

/** A white RGBA image to draw lines, rectangles and text on; `png()` encodes it with pngjs. */
export class Raster {
  readonly data: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Uint8Array(width * height * 4).fill(255);
  }

  /** Sets one pixel (ignored outside the image). */
  plot(x: number, y: number, c: Rgb): void {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= this.width || yi >= this.height) return;
    const i = (yi * this.width + xi) * 4;
    this.data[i] = c[0];
    this.data[i + 1] = c[1];
    this.data[i + 2] = c[2];
  }

  /** A filled rectangle. */
  rect(x: number, y: number, w: number, h: number, c: Rgb): void {
    for (let j = Math.round(y); j < Math.round(y + h); j++) for (let i = Math.round(x); i < Math.round(x + w); i++) this.plot(i, j, c);
  }

  /** A line `thickness` pixels wide. */
  line(x0: number, y0: number, x1: number, y1: number, c: Rgb, thickness = 1): void {
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    const r = (thickness - 1) / 2;
    for (let s = 0; s <= steps; s++) {
      const x = x0 + ((x1 - x0) * s) / steps;
      const y = y0 + ((y1 - y0) * s) / steps;
      if (r <= 0) this.plot(x, y, c);
      else for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) this.plot(x + dx, y + dy, c);
    }
  }

  /** Text in the bitmap font, `scale` screen pixels per font pixel; `align` anchors x. */
  text(x: number, y: number, text: string, c: Rgb, scale = 1, align: 'left' | 'center' | 'right' = 'left'): void {
    const w = this.textWidth(text, scale);
    const left = align === 'left' ? x : align === 'center' ? x - w / 2 : x - w;
    [...text].forEach((ch, k) => {
      glyphRows(ch).forEach((bits, row) => {
        for (let col = 0; col < GLYPH.width; col++) {
          if (bits & (1 << (GLYPH.width - 1 - col))) this.rect(left + (k * GLYPH.advance + col) * scale, y + row * scale, scale, scale, c);
        }
      });
    });
  }

  /** Width of `text` in screen pixels. */
  textWidth(text: string, scale = 1): number {
    return Math.max(0, text.length * GLYPH.advance - 1) * scale;
  }

  /** The image as PNG bytes. */
  async png(): Promise<Uint8Array> {
    const { PNG } = await import('pngjs');
    const png = new PNG({ width: this.width, height: this.height });
    png.data = Buffer.from(this.data.buffer, this.data.byteOffset, this.data.byteLength);
    return new Uint8Array(PNG.sync.write(png));
  }
}
