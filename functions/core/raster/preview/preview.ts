/**
 * PNG quicklooks of a product: small enough to show in a STAC browser, stretched so that the interesting
 * part of the value range uses the whole colour scale.
 */
import { InputError } from '../../errors.ts';
import { encodePng } from './encodePng.ts';
import { boxAverage, percentileRange, previewSize } from './previewResample.ts';
import { rampLut, type RampName } from './previewRamps.ts';
import { Canvas, INK } from '../../chart/canvas.ts';
import { GLYPH_ADVANCE } from '../../chart/bitmapFont.ts';
import type { TypedArray } from '../types.ts';

export interface PreviewOptions {
  /** Longest side in pixels; default 512. */
  maxSize?: number;
  /** Colour ramp for one band; default 'ndvi' (red-yellow-green). */
  ramp?: RampName;
  /** Value treated as missing (transparent), besides NaN. */
  nodata?: number;
  /** Stretch range for every band instead of the 2nd–98th percentiles. */
  range?: [number, number];
  /**
   * One band: a strip under the image with the colour ramp, the values at its ends and this title, so
   * that the colours can be read as values. A narrow image is padded (transparent) to LEGEND_MIN_WIDTH.
   */
  legend?: string;
}

export const LEGEND_HEIGHT = 38;
export const LEGEND_MIN_WIDTH = 160;

/**
 * PNG quicklook (longest side <= maxSize, default 512). One band: stretched 2nd–98th percentile through a
 * colour ramp ('ndvi' red-yellow-green, or 'gray', 'viridis'); three bands: RGB, each stretched; NaN/nodata
 * transparent.
 *
 * @example
 * const png = renderPreview([ndvi], 10980, 10980, { ramp: 'ndvi', range: [-0.2, 0.9] });
 */
export function renderPreview(
  bands: Float32Array[] | TypedArray[],
  width: number,
  height: number,
  opts: PreviewOptions = {},
): Uint8Array {
  if (bands.length !== 1 && bands.length !== 3) {
    throw new InputError('preview.bands', `one band (ramp) or three (RGB) are supported, got ${bands.length}`);
  }
  bands.forEach((b, i) => {
    if (b.length !== width * height) throw new InputError(`preview.bands[${i}]`, `has ${b.length} pixels, expected ${width}x${height}`);
  });
  const maxSize = opts.maxSize ?? 512;
  if (!Number.isInteger(maxSize) || maxSize < 1) throw new InputError('preview.maxSize', `must be a positive integer, got ${maxSize}`);
  const out = previewSize(width, height, maxSize);
  const small = bands.map((b) => boxAverage(b, width, height, out.width, out.height, opts.nodata));
  return renderAveragedPreview(small, out.width, out.height, opts);
}

/**
 * The quicklook from bands already shrunk to its size (`boxAverage`, or `boxSums` added up over parts):
 * the second half of `renderPreview`.
 *
 * @example
 * const png = renderAveragedPreview([small], 512, 512, { ramp: 'gray' });
 */
export function renderAveragedPreview(small: Float64Array[], width: number, height: number, opts: PreviewOptions = {}): Uint8Array {
  const out = { width, height };
  const n = out.width * out.height;
  const ranges = small.map((values) => opts.range ?? percentileRange(values, 0.02, 0.98) ?? [0, 0]);
  const scaled = small.map((values, b) => stretchToBytes(values, ranges[b]));
  const lut = rampLut(opts.ramp ?? 'ndvi');
  const rgba = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    if (scaled.some((s) => s[i] < 0)) continue; // transparent black
    if (scaled.length === 1) {
      const k = scaled[0][i] * 3;
      rgba.set(lut.subarray(k, k + 3), i * 4);
    } else {
      for (let c = 0; c < 3; c++) rgba[i * 4 + c] = scaled[c][i];
    }
    rgba[i * 4 + 3] = 255;
  }
  if (opts.legend === undefined || small.length !== 1) return encodePng(rgba, out.width, out.height);
  return withLegend(rgba, out.width, out.height, lut, ranges[0], opts.legend);
}

/** The image on top (left-aligned, padded when narrow), then a white strip: ramp bar, its end values, title. */
function withLegend(image: Uint8Array, width: number, height: number, lut: Uint8Array, [lo, hi]: number[], title: string): Uint8Array {
  const W = Math.max(width, LEGEND_MIN_WIDTH);
  const rgba = new Uint8Array(W * (height + LEGEND_HEIGHT) * 4);
  for (let y = 0; y < height; y++) rgba.set(image.subarray(y * width * 4, (y + 1) * width * 4), y * W * 4);
  const c = new Canvas(W, LEGEND_HEIGHT);
  const x0 = 6, x1 = W - 6;
  for (let x = x0; x < x1; x++) {
    const k = Math.round(((x - x0) / Math.max(1, x1 - x0 - 1)) * 255) * 3;
    c.rect(x, 4, 1, 10, [lut[k], lut[k + 1], lut[k + 2]]);
  }
  const digits = Math.max(0, Math.min(4, 2 - Math.floor(Math.log10(Math.max(Math.abs(hi - lo), 1e-9)))));
  c.text(x0, 17, lo.toFixed(digits), INK);
  c.text(x1, 17, hi.toFixed(digits), INK, { align: 'right' });
  const room = Math.floor((W - 12) / GLYPH_ADVANCE);
  c.text(W / 2, 28, title.length > room ? `${title.slice(0, room - 2)}..` : title, INK, { align: 'center' });
  rgba.set(c.rgba, W * height * 4);
  return encodePng(rgba, W, height + LEGEND_HEIGHT);
}

/** 0…255 along the stretch, or -1 for missing pixels. A flat band maps to the middle of the scale. */
function stretchToBytes(values: Float64Array, [lo, hi]: number[]): Int16Array {
  const out = new Int16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) {
      out[i] = -1;
      continue;
    }
    const t = hi !== lo ? Math.min(1, Math.max(0, (v - lo) / (hi - lo))) : 0.5;
    out[i] = Math.round(t * 255);
  }
  return out;
}
