/**
 * Internal overview pyramid for COGs: each level halves the previous one (GDAL's sizes:
 * ceil(size / 2^k)) until the smallest fits in one block.
 */
import type { TypedArray } from '../types.ts';

export type Resampling = 'average' | 'nearest';

/**
 * Sizes of the overview levels (factor 2, 4, …) of a width×height image, largest first; empty when the
 * image already fits in one block.
 *
 * @example
 * overviewSizes(1100, 700, 512); // [{ width: 550, height: 350 }, { width: 275, height: 175 }]
 */
export function overviewSizes(width: number, height: number, blockSize: number): { width: number; height: number }[] {
  const sizes: { width: number; height: number }[] = [];
  let factor = 1;
  let w = width;
  let h = height;
  while (w > blockSize || h > blockSize) {
    factor *= 2;
    w = Math.ceil(width / factor);
    h = Math.ceil(height / factor);
    sizes.push({ width: w, height: h });
  }
  return sizes;
}

/**
 * Halves an image. 'average' takes the mean of the valid pixels of each 2×2 block (NaN and `nodata` are
 * ignored, as GDAL's average does; a block with none is `nodata`, or NaN without one); integers are
 * rounded. 'nearest' keeps the top-left pixel of each block, which is what GDAL picks for a factor of 2.
 * The last row/column block of an odd size has only the pixels that exist.
 *
 * @example
 * halveImage(new Float32Array([1, 3, NaN, 4]), 2, 2, 'average'); // Float32Array [ 2.6666667 ]
 */
export function halveImage<T extends TypedArray>(
  src: T,
  width: number,
  height: number,
  resampling: Resampling,
  nodata?: number,
): T {
  const ow = Math.ceil(width / 2);
  const oh = Math.ceil(height / 2);
  const out = new (src.constructor as new (n: number) => T)(ow * oh);
  if (resampling === 'nearest') {
    for (let oy = 0; oy < oh; oy++) {
      const row = 2 * oy * width;
      const o = oy * ow;
      for (let ox = 0; ox < ow; ox++) out[o + ox] = src[row + 2 * ox];
    }
    return out;
  }
  const isFloat = src instanceof Float32Array || src instanceof Float64Array;
  // Compare against the value as stored, so that e.g. a nodata of 0.1 matches float32 pixels of 0.1.
  const nd = nodata === undefined || Number.isNaN(nodata) ? undefined : src instanceof Float32Array ? Math.fround(nodata) : nodata;
  const empty = nodata ?? NaN;
  for (let oy = 0; oy < oh; oy++) {
    const r0 = 2 * oy * width;
    const hasR1 = 2 * oy + 1 < height;
    const r1 = r0 + width;
    const o = oy * ow;
    for (let ox = 0; ox < ow; ox++) {
      const x0 = 2 * ox;
      const hasX1 = x0 + 1 < width;
      let sum = 0;
      let n = 0;
      let v = src[r0 + x0];
      if (v === v && v !== nd) { sum += v; n++; }
      if (hasX1) {
        v = src[r0 + x0 + 1];
        if (v === v && v !== nd) { sum += v; n++; }
      }
      if (hasR1) {
        v = src[r1 + x0];
        if (v === v && v !== nd) { sum += v; n++; }
        if (hasX1) {
          v = src[r1 + x0 + 1];
          if (v === v && v !== nd) { sum += v; n++; }
        }
      }
      out[o + ox] = n === 0 ? empty : isFloat ? sum / n : Math.round(sum / n);
    }
  }
  return out;
}
