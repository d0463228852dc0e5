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
