/**
 * Reads one asset of one item onto a window of the output grid, in physical values (the asset's STAC
 * scale/offset applied, see stac/assetRadiometry.ts), with errors that point at the job:
 * `items[2] (S2B_33TWM_20230813_0_L2A) asset "red" (…/B04.tif): truncated tile 3`.
 *
 * @example
 * const red = await readItemAsset(item, 'red', grid, window);
 */
import { InputError } from '../errors.ts';
import { readOnGrid } from '../raster/readOnGrid.ts';
import type { Grid, Window } from '../raster/types.ts';
import { openRasterCached } from './openRasterCached.ts';
import { checkAssetMeanings } from '../stac/checkAssetMeanings.ts';
import { radiometryOf, type Radiometry, type RadiometryMode } from '../stac/assetRadiometry.ts';
import { findAsset, type FoundAsset } from '../stac/findAsset.ts';
import type { ResolvedItem } from '../stac/resolveItems.ts';

/** One asset as partitions read it: the job's name for it maps to the item's own key, href and radiometry. */
export interface SetupAsset extends Radiometry {
  href: string;
  key: string;
  matchedBy: FoundAsset['matchedBy'];
}

export interface SetupItem {
  id: string;
  index: number;
  datetime: string | null;
  /** By the name the job uses (`red`), whatever the item's key (`B04_10m`). */
  assets: Record<string, SetupAsset>;
}

/**
 * The asset's values on `window` of `grid`: physical values, NaN at nodata. `asMask` reads a class layer
 * for masking instead: the raw values, nodata kept, never scaled.
 */
export async function readItemAsset(item: SetupItem, key: string, grid: Grid, window: Window, asMask = false): Promise<Float32Array> {
  const { href, scale, offset, nodata } = item.assets[key];
  try {
    const raster = await openRasterCached(href);
    return await readOnGrid(raster, grid, window, asMask ? { keepNodata: true } : { scale, offset, nodata });
  } catch (e) {
    const where = whereOf(item, key);
    // Bad input stays bad input (not retried); anything else (I/O, throttling) keeps its retryable kind.
    if (e instanceof InputError) throw new InputError(where, e.message);
    throw new Error(`${where}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * The items as partitions need them: ids for messages, and only the assets the op reads, found by the
 * job's names (stac/findAsset.ts) with the radiometry to apply.
 */
export function setupItemsOf(items: ResolvedItem[], names: string[], mode: RadiometryMode = 'metadata'): SetupItem[] {
  checkAssetMeanings(items, names);
  return items.map((item) => ({
    id: item.id, index: item.index, datetime: item.datetime,
    assets: Object.fromEntries(names.map((name) => [name, setupAssetOf(item, name, mode)])),
  }));
}

export function setupAssetOf(item: ResolvedItem, name: string, mode: RadiometryMode = 'metadata'): SetupAsset {
  const { key, asset, matchedBy } = findAsset(item, name);
  return { href: asset.href, key, matchedBy, ...radiometryOf(item, key, asset, mode) };
}

/** Opens every asset's header up front: a missing or broken file fails the job before any work. */
export async function checkItemAssets(items: SetupItem[], keys: string[], grid: Grid | undefined): Promise<void> {
  await Promise.all(items.flatMap((item) => keys.map(async (key) => {
    const href = item.assets[key].href;
    const where = whereOf(item, key);
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

/** `items[2] (S2B_…) asset "red"` plus the item's own key when it differs, and the href. */
export function whereOf(item: SetupItem, name: string): string {
  const { key, href } = item.assets[name];
  return `items[${item.index}] (${item.id}) asset "${name}"${key !== name ? ` = "${key}"` : ''} (${href})`;
}
