/**
 * PNG quicklooks of a product: small enough to show in a STAC browser, stretched so that the interesting
 * part of the value range uses the whole colour scale.
 */
import { InputError } from '../errors.ts';
import { encodePng } from './encodePng.ts';
import { boxAverage, percentileRange, previewSize } from './previewResample.ts';
import { rampLut, type RampName } from './previewRamps.ts';
import type { TypedArray } from './types.ts';

export interface PreviewOptions {
  /** Longest side in pixels; default 512. */
  maxSize?: number;
  /** Colour ramp for one band; default 'ndvi' (red-yellow-green). */
  ramp?: RampName;
  /** Value treated as missing (transparent), besides NaN. */
  nodata?: number;
  /** Stretch range for every band instead of the 2nd–98th percentiles. */
  range?: [number, number];
}

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
  const n = out.width * out.height;
  const small = bands.map((b) => boxAverage(b, width, height, out.width, out.height, opts.nodata));
  const scaled = small.map((values) => stretchToBytes(values, opts.range));
  const rgba = new Uint8Array(n * 4);
  const lut = rampLut(opts.ramp ?? 'ndvi');
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
  return encodePng(rgba, out.width, out.height);
}

/** 0…255 along the stretch, or -1 for missing pixels. A flat band maps to the middle of the scale. */
function stretchToBytes(values: Float64Array, range: [number, number] | undefined): Int16Array {
  const [lo, hi] = range ?? percentileRange(values, 0.02, 0.98) ?? [0, 0];
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
