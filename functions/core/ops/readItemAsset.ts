/**
 * Reads one asset of one item onto a window of the output grid, with errors that point at the job:
 * `items[2] (S2B_33TWM_20230813_0_L2A) asset "red" (…/B04.tif): truncated tile 3`.
 *
 * @example
 * const red = await readItemAsset(item, 'red', grid, window);
 */
import { InputError } from '../errors.ts';
import { readOnGrid } from '../raster/readOnGrid.ts';
import type { Grid, Window } from '../raster/types.ts';
import type { RasterFallback } from '../raster/openRaster.ts';
import { openRasterCached } from './openRasterCached.ts';
import { rasterFallbackOf } from '../stac/rasterFallback.ts';
import { assetOf, type ResolvedItem } from '../stac/resolveItems.ts';

export interface SetupItem {
  id: string;
  index: number;
  datetime: string | null;
  /** `fallback`: the STAC nodata / proj:* a reader uses where the file has none (JPEG 2000 bands). */
  assets: Record<string, { href: string; fallback?: RasterFallback }>;
}

export async function readItemAsset(item: SetupItem, key: string, grid: Grid, window: Window, keepNodata = false): Promise<Float32Array> {
  const href = item.assets[key].href;
  try {
    const raster = await openRasterCached(item.assets[key]);
    return await readOnGrid(raster, grid, window, { keepNodata });
  } catch (e) {
    const where = `items[${item.index}] (${item.id}) asset "${key}" (${href})`;
    // Bad input stays bad input (not retried); anything else (I/O, throttling) keeps its retryable kind.
    if (e instanceof InputError) throw new InputError(where, e.message);
    throw new Error(`${where}: ${(e as Error).message}`, { cause: e });
  }
}

/** The items as partitions need them: ids for messages, and only the asset hrefs the op reads. */
export function setupItemsOf(items: ResolvedItem[], keys: string[]): SetupItem[] {
  return items.map((item) => ({
    id: item.id, index: item.index, datetime: item.datetime,
    assets: Object.fromEntries(keys.map((k) => [k, setupAssetOf(item, k)])),
  }));
}

/** The href of an item's asset, with what its STAC metadata says for the reader to fall back on. */
export function setupAssetOf(item: ResolvedItem, key: string): SetupItem['assets'][string] {
  const asset = assetOf(item, key);
  const fallback = rasterFallbackOf(asset, item);
  return fallback ? { href: asset.href, fallback } : { href: asset.href };
}

/** Opens every asset's header up front: a missing or broken file fails the job before any work. */
export async function checkItemAssets(items: SetupItem[], keys: string[], grid: Grid | undefined): Promise<void> {
  await Promise.all(items.flatMap((item) => keys.map(async (key) => {
    const href = item.assets[key].href;
    const where = `items[${item.index}] (${item.id}) asset "${key}" (${href})`;
    let crs: string;
    try {
      crs = (await openRasterCached(item.assets[key])).info.grid.crs;
    } catch (e) {
      throw new InputError(where, (e as Error).message);
    }
    if (grid && crs !== grid.crs) {
      throw new InputError(where, `is in ${crs} but the output grid is in ${grid.crs}; this op does not reproject (coherence-merge does)`);
    }
  })));
}

/** Sets `values[i]` to NaN wherever `mask[i]` holds an excluded class. */
export function applyMask(values: Float32Array[], mask: Float32Array, exclude: Set<number>): void {
  for (let i = 0; i < mask.length; i++) {
    if (exclude.has(mask[i])) for (const v of values) v[i] = NaN;
  }
}
