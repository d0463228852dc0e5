/**
 * One item's bands over a partition window, as `BandParcelStats` consumes them. An asset on the job's own grid
 * (nearest neighbour is then the identity) is read in the file's type (uint8/int8/uint16/int16/float32),
 * without readOnGrid's float32 copy; its nodata is checked while gathering. Assets on another grid, and all
 * inputs when a band is an expression, go through readOnGrid (float32, NaN = missing) as in tile-reduce.
 * A native band's STAC scale/offset travels with it to the statistics (BandLayer.scale); read as float32, it
 * is applied per pixel. The mask becomes one byte per pixel (1 = excluded class), checked while gathering;
 * expression inputs get it applied (NaN) before evaluation, so the result is the same as masking first.
 *
 * @example
 * const item = await readParcelLayers(setup, setup.items[0], window);
 * kernel.summarise(item.band(0), window, runs, results, 0);
 */
import { relocate } from '../../errors.ts';
import { readOnGrid } from '../../raster/warp/readOnGrid.ts';
import type { DType, Grid, RasterInfo, Window } from '../../raster/types.ts';
import { openRasterCached } from '../openRasterCached.ts';
import { applyMask, whereOf, type SetupItem } from '../readItemAsset.ts';
import { bandEvaluators, type ParcelAggregateSetup } from './parcelSetup.ts';
import type { BandLayer } from './bandParcelStats.ts';

/** File types read as they are (bytes per sample): exact in float32, the type the statistics are defined on. */
const NATIVE: Partial<Record<DType, number>> = { uint8: 1, int8: 1, uint16: 2, int16: 2, float32: 4 };

/**
 * Bytes per sample when an asset is read in its file type onto `grid` (on the grid itself, a native type);
 * undefined when it goes through readOnGrid's float32 copy. Only for jobs without expression bands.
 */
export function nativeSampleBytes(info: RasterInfo, grid: Grid): number | undefined {
  return sameGrid(info.grid, grid) ? NATIVE[info.dtype] : undefined;
}

export interface ItemLayers {
  /** Band `b` of the setup (an expression band is evaluated into a shared buffer: use it before the next). */
  band(b: number): BandLayer;
}

export async function readParcelLayers(setup: ParcelAggregateSetup, item: SetupItem, window: Window, layer?: Float32Array): Promise<ItemLayers> {
  const { grid } = setup;
  const exclude = new Set(setup.mask?.exclude ?? []);
  const maskRead = setup.mask ? located(item, setup.mask.asset, async (raster) => readOnGrid(raster, grid, window, { keepNodata: true })) : undefined;
  // The asset's STAC scale, offset and nodata, as readOnGrid takes them.
  const physical = (key: string) => {
    const { scale, offset, nodata } = item.assets[key];
    return { scale, offset, nodata };
  };
  if (setup.bands.some((b) => b.expression)) {
    const [values, mask] = await Promise.all([
      Promise.all(setup.inputs.map((key) => located(item, key, (raster) => readOnGrid(raster, grid, window, physical(key))))),
      maskRead,
    ]);
    if (mask) applyMask(values, mask, exclude);
    const evaluators = bandEvaluators(setup);
    const out = layer ?? new Float32Array(window.width * window.height);
    return { band: (b) => ({ values: evaluators[b](values, out), nodata: undefined, integer: false }) };
  }
  const [inputs, mask] = await Promise.all([
    Promise.all(setup.inputs.map((key) => located(item, key, async (raster): Promise<BandLayer> => {
      const { info } = raster;
      const { scale, offset, nodata } = physical(key);
      // Digital numbers in the file's type; an increasing scale is applied to the statistics, not the pixels.
      if (nativeSampleBytes(info, grid) !== undefined && scale > 0) {
        return { values: await raster.readWindow(window, 0), nodata: info.nodata ?? nodata, integer: info.dtype !== 'float32', scale, offset };
      }
      return { values: await readOnGrid(raster, grid, window, physical(key)), nodata: undefined, integer: false };
    }))),
    maskRead,
  ]);
  const excluded = mask ? excludedPixels(mask, exclude) : undefined;
  return { band: (b) => ({ ...inputs[setup.inputs.indexOf(setup.bands[b].asset!)], excluded }) };
}

/** 1 where the mask holds an excluded class; small integer classes (SCL) by table lookup. */
function excludedPixels(mask: Float32Array, exclude: Set<number>): Uint8Array {
  const table = new Uint8Array(256);
  for (const c of exclude) if (Number.isInteger(c) && c >= 0 && c < 256) table[c] = 1;
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) {
    const m = mask[i];
    out[i] = m >= 0 && m < 256 && m === (m | 0) ? table[m] : exclude.has(m) ? 1 : 0;
  }
  return out;
}

function sameGrid(a: Grid, b: Grid): boolean {
  return a.crs.trim().toUpperCase() === b.crs.trim().toUpperCase() && a.width === b.width && a.height === b.height
    && a.originX === b.originX && a.originY === b.originY && a.resX === b.resX && a.resY === b.resY;
}

/** Errors name the item and asset, as readItemAsset's do; bad input stays InputError (not retried). */
async function located<T>(item: SetupItem, key: string, work: (raster: Awaited<ReturnType<typeof openRasterCached>>) => Promise<T>): Promise<T> {
  try {
    return await work(await openRasterCached(item.assets[key]));
  } catch (e) {
    throw relocate(e, whereOf(item, key));
  }
}
