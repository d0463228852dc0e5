/**
 * Reprojection of a raster band onto a window of a target grid in any CRS that `geo/crs.ts` can place,
 * with GDAL's semantics: a target pixel whose centre falls outside the source is empty; `nearest` takes the
 * source pixel containing the centre; `bilinear` leaves it empty when that pixel is nodata, and otherwise
 * weighs the 2x2 source pixels around the centre, renormalising the weights over the valid (inside, not
 * nodata) ones. Only the source window the target window needs is
 * read.
 *
 * @example
 * const coh = await warpOnGrid(raster, utmGrid, { x: 0, y: 0, width: 512, height: 512 }, { resampling: 'bilinear' });
 * // Float32Array, NaN where empty or nodata
 */
import type { Raster } from '../read/openRaster.ts';
import type { Grid, TypedArray, Window } from '../types.ts';
import { sourcePixelCoordinates, type CoordinateOptions } from './warpCoordinates.ts';

export type Resampling = 'nearest' | 'bilinear';

export interface WarpOptions extends CoordinateOptions {
  resampling?: Resampling;
  band?: number;
  /** Source value that means "no data"; default the file's nodata tag. NaN source values are always empty. */
  nodata?: number;
}

export async function warpOnGrid(raster: Raster, grid: Grid, window: Window, opts: WarpOptions = {}): Promise<Float32Array> {
  const src = raster.info.grid;
  const { x, y } = sourcePixelCoordinates(src, grid, window, opts);
  const out = new Float32Array(window.width * window.height).fill(NaN);
  const bilinear = (opts.resampling ?? 'nearest') === 'bilinear';
  const need = sourceWindowOf(x, y, src.width, src.height, bilinear ? 1 : 0);
  if (!need) return out;
  const values = await raster.readWindow(need, opts.band ?? 0);
  const nodata = opts.nodata ?? raster.info.nodata;
  const source: Source = { values, window: need, width: src.width, height: src.height, nodata: nodata ?? NaN };
  if (bilinear) sampleBilinear(out, x, y, source);
  else sampleNearest(out, x, y, source);
  return out;
}

interface Source {
  values: TypedArray;
  /** Where `values` sits in the source raster. */
  window: Window;
  /** Size of the whole source raster: centres outside it are empty. */
  width: number;
  height: number;
  nodata: number;
}

/**
 * The source pixels that target centres falling inside the source touch, plus `margin` pixels for the
 * bilinear neighbours, clipped to the raster; undefined when no centre falls inside.
 *
 * @example
 * sourceWindowOf(x, y, 100, 60, 1); // { x: 12, y: 0, width: 40, height: 31 }
 */
function sourceWindowOf(x: Float64Array, y: Float64Array, width: number, height: number, margin: number): Window | undefined {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let k = 0; k < x.length; k++) {
    const px = x[k], py = y[k];
    if (!(px >= 0 && px < width && py >= 0 && py < height)) continue;
    if (px < minX) minX = px;
    if (px > maxX) maxX = px;
    if (py < minY) minY = py;
    if (py > maxY) maxY = py;
  }
  if (minX === Infinity) return undefined;
  const x0 = Math.max(0, Math.floor(minX) - margin), y0 = Math.max(0, Math.floor(minY) - margin);
  const x1 = Math.min(width, Math.floor(maxX) + 1 + margin), y1 = Math.min(height, Math.floor(maxY) + 1 + margin);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

function sampleNearest(out: Float32Array, x: Float64Array, y: Float64Array, s: Source): void {
  const { values, window: w, nodata } = s;
  for (let k = 0; k < out.length; k++) {
    const px = x[k], py = y[k];
    if (!(px >= 0 && px < s.width && py >= 0 && py < s.height)) continue;
    const v = values[(Math.floor(py) - w.y) * w.width + Math.floor(px) - w.x];
    if (v !== nodata) out[k] = v;
  }
}

function sampleBilinear(out: Float32Array, x: Float64Array, y: Float64Array, s: Source): void {
  const { values, window: w, nodata } = s;
  const x0 = w.x, y0 = w.y, x1 = w.x + w.width, y1 = w.y + w.height;
  for (let k = 0; k < out.length; k++) {
    const px = x[k], py = y[k];
    if (!(px >= 0 && px < s.width && py >= 0 && py < s.height)) continue;
    // As GDAL: a centre on a nodata pixel stays empty, even when its neighbours have data.
    const own = values[(Math.floor(py) - y0) * w.width + Math.floor(px) - x0];
    if (own !== own || own === nodata) continue;
    const fx = px - 0.5, fy = py - 0.5;
    const ix = Math.floor(fx), iy = Math.floor(fy);
    const u = fx - ix, v = fy - iy;
    let sum = 0, weight = 0;
    for (let dy = 0; dy < 2; dy++) {
      const row = iy + dy;
      if (row < y0 || row >= y1) continue;
      const wy = dy ? v : 1 - v;
      for (let dx = 0; dx < 2; dx++) {
        const col = ix + dx;
        if (col < x0 || col >= x1) continue;
        const value = values[(row - y0) * w.width + col - x0];
        if (value !== value || value === nodata) continue;
        const wxy = (dx ? u : 1 - u) * wy;
        sum += value * wxy;
        weight += wxy;
      }
    }
    if (weight >= 1e-5) out[k] = sum / weight;
  }
}
