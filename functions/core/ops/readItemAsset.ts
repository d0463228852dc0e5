/**
 * Reads one asset of one item onto a window of the output grid, in physical values (the asset's STAC
 * scale/offset applied, see stac/assetRadiometry.ts), with errors that point at the job:
 * `items[2] (S2B_33TWM_20230813_0_L2A) asset "red" (…/B04.tif): truncated tile 3`.
 *
 * @example
 * const red = await readItemAsset(item, 'red', grid, window);
 */
import { detailOf, InputError, relocate } from '../errors.ts';
import type { Raster, RasterFallback } from '../raster/read/openRaster.ts';
import { readOnGrid } from '../raster/warp/readOnGrid.ts';
import type { Grid, Window } from '../raster/types.ts';
import { fitsDtype } from '../raster/fitsDtype.ts';
import type { MaskSpec } from '../contract/commonSchemas.ts';
import { openRasterCached } from './openRasterCached.ts';
import { checkAssetMeanings } from '../stac/checkAssetMeanings.ts';
import { radiometryOf, type Radiometry, type RadiometryMode } from '../stac/assetRadiometry.ts';
import { rasterFallbackOf } from '../stac/rasterFallback.ts';
import { findAsset, type FoundAsset } from '../stac/findAsset.ts';
import type { ResolvedItem } from '../stac/resolveItems.ts';

/** One asset as partitions read it: the job's name for it maps to the item's own key, href and radiometry. */
export interface SetupAsset extends Radiometry {
  href: string;
  key: string;
  matchedBy: FoundAsset['matchedBy'];
  /** What the reader uses where the file is silent: the STAC nodata and proj:* (JPEG 2000 bands). */
  fallback?: RasterFallback;
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
  const { scale, offset, nodata } = item.assets[key];
  try {
    const raster = await openRasterCached(item.assets[key]);
    return await readOnGrid(raster, grid, window, asMask ? { keepNodata: true } : { scale, offset, nodata });
  } catch (e) {
    throw relocate(e, whereOf(item, key));
  }
}

/**
 * Opens an asset while a job is prepared: any failure (missing, unreachable, not a TIFF) rejects the job
 * as bad input, naming the item, the asset and the cause.
 */
export async function openItemAsset(item: SetupItem, key: string): Promise<Raster> {
  try {
    return await openRasterCached(item.assets[key]);
  } catch (e) {
    throw new InputError(whereOf(item, key), detailOf(e), { cause: e });
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
  const radiometry = radiometryOf(item, key, asset, mode);
  const fallback = rasterFallbackOf(asset, item, radiometry.nodata);
  return { href: asset.href, key, matchedBy, ...radiometry, ...(fallback ? { fallback } : {}) };
}

/**
 * Opens every asset's header up front: a missing or broken file fails the job before any work. With
 * `mask`, each excluded class must be a value the mask asset's data type can hold (300 on a uint8 SCL
 * would silently mask nothing). A JPEG 2000 band without TLM leaves its tile-part index in the asset's `fallback`.
 */
export async function checkItemAssets(items: SetupItem[], keys: string[], grid: Grid | undefined, mask?: MaskSpec): Promise<void> {
  await Promise.all(items.flatMap((item) => keys.map(async (key) => {
    const raster = await openItemAsset(item, key);
    const { grid: own, dtype } = raster.info;
    // A JPEG 2000 band without TLM: its tile-part index goes with the setup, so no partition hops again.
    if (raster.jp2TileParts) item.assets[key].fallback = { ...item.assets[key].fallback, jp2TileParts: raster.jp2TileParts };
    if (grid && own.crs !== grid.crs) {
      throw new InputError(whereOf(item, key), `is in ${own.crs} but the output grid is in ${grid.crs}; this op does not reproject (coherence-merge does)`);
    }
    if (mask && key === mask.asset) {
      const k = mask.exclude.findIndex((c) => !fitsDtype(c, dtype));
      if (k >= 0) throw new InputError(`params.mask.exclude[${k}]`, `class ${mask.exclude[k]} cannot occur in ${whereOf(item, key)}, whose data type is ${dtype}`);
    }
  })));
}

/** Sets `values[i]` to NaN wherever `mask[i]` holds an excluded class. */
export function applyMask(values: Float32Array[], mask: Float32Array, exclude: Set<number>): void {
  // Class layers hold small integers: a table lookup per pixel costs far less than a Set's hashing.
  const table = new Uint8Array(256);
  for (const c of exclude) if (c === (c & 255)) table[c] = 1;
  const odd = [...exclude].some((c) => c !== (c & 255));
  for (let i = 0; i < mask.length; i++) {
    const m = mask[i];
    if (m === (m & 255) ? table[m] === 1 : odd && exclude.has(m)) for (const v of values) v[i] = NaN;
  }
}

/** `items[2] (S2B_…) asset "red"` plus the item's own key when it differs, and the href. */
export function whereOf(item: SetupItem, name: string): string {
  const { key, href } = item.assets[name];
  return `items[${item.index}] (${item.id}) asset "${name}"${key !== name ? ` = "${key}"` : ''} (${href})`;
}
