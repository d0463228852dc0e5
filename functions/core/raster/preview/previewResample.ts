/**
 * Shrinks a band for a quicklook by box-averaging the valid pixels that fall in each output pixel, so a
 * 10980-pixel band becomes a 512-pixel preview in one pass over the data without aliasing speckle.
 */
import type { TypedArray } from '../types.ts';

/**
 * Output size whose longest side is at most `maxSize` (the input size when it already fits).
 *
 * @example
 * previewSize(10980, 5490, 512); // { width: 512, height: 256 }
 */
export function previewSize(width: number, height: number, maxSize: number): { width: number; height: number } {
  const scale = maxSize / Math.max(width, height);
  if (scale >= 1) return { width, height };
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * Box average of `band` (width×height) onto outWidth×outHeight; NaN where a box has no valid pixel.
 * NaN and `nodata` are not valid.
 *
 * @example
 * boxAverage(new Float32Array([1, 3, 5, NaN]), 2, 2, 1, 1); // Float64Array [ 3 ]
 */
export function boxAverage(
  band: TypedArray,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
  nodata?: number,
): Float64Array {
  const sums = new Float64Array(outWidth * outHeight);
  const counts = new Uint32Array(outWidth * outHeight);
  const nd = nodata === undefined || Number.isNaN(nodata) ? undefined : band instanceof Float32Array ? Math.fround(nodata) : nodata;
  const colOut = new Int32Array(width);
  for (let x = 0; x < width; x++) colOut[x] = Math.floor((x * outWidth) / width);
  for (let y = 0; y < height; y++) {
    const o = Math.floor((y * outHeight) / height) * outWidth;
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const v = band[row + x];
      if (v === v && v !== nd) {
        sums[o + colOut[x]] += v;
        counts[o + colOut[x]]++;
      }
    }
  }
  for (let i = 0; i < sums.length; i++) sums[i] = counts[i] === 0 ? NaN : sums[i] / counts[i];
  return sums;
}

/** Sums and counts of valid pixels per preview pixel over a region of the preview (rows y0.., columns x0..). */
export interface BoxSums {
  x0: number;
  y0: number;
  width: number;
  height: number;
  sums: Float64Array;
  counts: Uint32Array;
}

/**
 * `boxAverage`'s sums and counts for the part of a band inside `window` (the band holds only the window's
 * pixels, the box mapping is that of the whole width×height image). Added up over windows that tile the
 * image and divided, they give `boxAverage` exactly when the values are integers (sums of integers in
 * float64 are exact in any order): how an integer product's quicklook is made without the whole band.
 *
 * @example
 * const part = boxSums(band, { x: 0, y: 2048, width: 10980, height: 2048 }, 10980, 10980, 512, 512, 0);
 */
export function boxSums(
  band: TypedArray,
  window: { x: number; y: number; width: number; height: number },
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
  nodata?: number,
): BoxSums {
  const x0 = Math.floor((window.x * outWidth) / width);
  const y0 = Math.floor((window.y * outHeight) / height);
  const w = Math.floor(((window.x + window.width - 1) * outWidth) / width) - x0 + 1;
  const h = Math.floor(((window.y + window.height - 1) * outHeight) / height) - y0 + 1;
  const sums = new Float64Array(w * h);
  const counts = new Uint32Array(w * h);
  const nd = nodata === undefined || Number.isNaN(nodata) ? undefined : band instanceof Float32Array ? Math.fround(nodata) : nodata;
  const colOut = new Int32Array(window.width);
  for (let x = 0; x < window.width; x++) colOut[x] = Math.floor(((window.x + x) * outWidth) / width) - x0;
  for (let y = 0; y < window.height; y++) {
    const o = (Math.floor(((window.y + y) * outHeight) / height) - y0) * w;
    const row = y * window.width;
    for (let x = 0; x < window.width; x++) {
      const v = band[row + x];
      if (v === v && v !== nd) {
        sums[o + colOut[x]] += v;
        counts[o + colOut[x]]++;
      }
    }
  }
  return { x0, y0, width: w, height: h, sums, counts };
}

/**
 * The values at the `low` and `high` fractions of the sorted non-NaN values (nearest rank), or undefined
 * when there are none.
 *
 * @example
 * percentileRange(Float64Array.from({ length: 101 }, (_, i) => i), 0.02, 0.98); // [2, 98]
 */
export function percentileRange(values: Float64Array, low: number, high: number): [number, number] | undefined {
  const valid = values.filter((v) => v === v).sort();
  if (valid.length === 0) return undefined;
  const at = (p: number) => valid[Math.round(p * (valid.length - 1))];
  return [at(low), at(high)];
}
