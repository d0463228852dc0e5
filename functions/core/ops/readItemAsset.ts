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
import { openRasterCached } from './openRasterCached.ts';
import { assetOf, type ResolvedItem } from '../stac/resolveItems.ts';
import { checkAssetMeanings } from '../stac/checkAssetMeanings.ts';

export interface SetupItem {
  id: string;
  index: number;
  datetime: string | null;
  assets: Record<string, { href: string }>;
}

export async function readItemAsset(item: SetupItem, key: string, grid: Grid, window: Window, keepNodata = false): Promise<Float32Array> {
  const href = item.assets[key].href;
  try {
    const raster = await openRasterCached(href);
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
  checkAssetMeanings(items, keys);
  return items.map((item) => ({
    id: item.id, index: item.index, datetime: item.datetime,
    assets: Object.fromEntries(keys.map((k) => [k, { href: assetOf(item, k).href }])),
  }));
}

/** Opens every asset's header up front: a missing or broken file fails the job before any work. */
export async function checkItemAssets(items: SetupItem[], keys: string[], grid: Grid | undefined): Promise<void> {
  await Promise.all(items.flatMap((item) => keys.map(async (key) => {
    const href = item.assets[key].href;
    const where = `items[${item.index}] (${item.id}) asset "${key}" (${href})`;
    let crs: string;
    try {
      crs = (await openRasterCached(href)).info.grid.crs;
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
