/**
 * An RGBA drawing surface for charts: rectangles, lines, dots and text, then PNG bytes. Deterministic (no
 * anti-aliasing, no fonts from the system), so the same data always gives the same file.
 *
 * @example
 * const c = new Canvas(320, 200);
 * c.line(0, 0, 319, 199, INK); c.text(10, 10, 'NDVI', INK);
 * const png = c.png();
 */
import { encodePng } from '../raster/preview/encodePng.ts';
import { GLYPH_ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, glyphOf, textWidth } from './bitmapFont.ts';

export type Rgb = readonly [number, number, number];
export const INK: Rgb = [34, 34, 34];
export const GRID: Rgb = [225, 225, 225];
export const MUTED: Rgb = [110, 110, 110];

export class Canvas {
  readonly rgba: Uint8Array;
  readonly width: number;
  readonly height: number;
  constructor(width: number, height: number) {
    this.width = width;
    this.height = height;
    this.rgba = new Uint8Array(width * height * 4).fill(255);
  }

  pixel(x: number, y: number, rgb: Rgb): void {
    x = Math.round(x); y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const k = (y * this.width + x) * 4;
    this.rgba[k] = rgb[0]; this.rgba[k + 1] = rgb[1]; this.rgba[k + 2] = rgb[2]; this.rgba[k + 3] = 255;
  }

  rect(x: number, y: number, w: number, h: number, rgb: Rgb): void {
    for (let j = Math.round(y); j < Math.round(y + h); j++) for (let i = Math.round(x); i < Math.round(x + w); i++) this.pixel(i, j, rgb);
  }

  /** A straight line (Bresenham), `thickness` pixels wide. */
  line(x0: number, y0: number, x1: number, y1: number, rgb: Rgb, thickness = 1): void {
    x0 = Math.round(x0); y0 = Math.round(y0); x1 = Math.round(x1); y1 = Math.round(y1);
    const dx = Math.abs(x1 - x0), dy = -Math.abs(y1 - y0);
    const sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
    const half = Math.floor((thickness - 1) / 2);
    for (let err = dx + dy; ;) {
      this.rect(x0 - half, y0 - half, thickness, thickness, rgb);
      if (x0 === x1 && y0 === y1) return;
      const e2 = 2 * err;
      if (e2 >= dy) { err += dy; x0 += sx; }
      if (e2 <= dx) { err += dx; y0 += sy; }
    }
  }

  /** `text` with its top-left corner at (x, y); `align` says which end x is. */
  text(x: number, y: number, text: string, rgb: Rgb, opts: { scale?: number; align?: 'left' | 'center' | 'right' } = {}): void {
    const scale = opts.scale ?? 1;
    const w = textWidth(text, scale);
    let left = opts.align === 'right' ? x - w : opts.align === 'center' ? x - w / 2 : x;
    left = Math.round(left);
    [...text].forEach((ch, n) => {
      const rows = glyphOf(ch);
      for (let r = 0; r < GLYPH_HEIGHT; r++) {
        for (let c = 0; c < GLYPH_WIDTH; c++) {
          if (rows[r] & (1 << (GLYPH_WIDTH - 1 - c))) this.rect(left + (n * GLYPH_ADVANCE + c) * scale, y + r * scale, scale, scale, rgb);
        }
      }
    });
  }

  png(): Uint8Array {
    return encodePng(this.rgba, this.width, this.height);
  }
}
