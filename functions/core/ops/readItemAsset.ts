/**
 * Reads one asset of one item onto a window of the output grid, with errors that point at the job:
 * `items[2] (S2B_33TWM_20230813_0_L2A) asset "red" (…/B04.tif): truncated tile 3`.
 *
 * @example
 * const red = await readItemAsset(item, 'red', grid, window);
 */
import { describeError, InputError, relocate } from '../errors.ts';
import type { Raster } from '../raster/openRaster.ts';
import { readOnGrid } from '../raster/readOnGrid.ts';
import type { Grid, Window } from '../raster/types.ts';
import { fitsDtype } from '../raster/fitsDtype.ts';
import type { MaskSpec } from '../spec/commonSchemas.ts';
import { openRasterCached } from './openRasterCached.ts';
import { assetOf, type ResolvedItem } from '../stac/resolveItems.ts';

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
    throw relocate(e, assetWhere(item, key));
  }
}

/** `items[2] (S2B_…) asset "red" (…/B04.tif)`: how every error about an asset starts. */
export function assetWhere(item: Pick<SetupItem, 'index' | 'id' | 'assets'>, key: string): string {
  return `items[${item.index}] (${item.id}) asset "${key}" (${item.assets[key].href})`;
}

/**
 * Opens an asset while a job is prepared: any failure (missing, unreachable, not a TIFF) rejects the job
 * as bad input, naming the item, the asset and the cause.
 */
export async function openItemAsset(item: Pick<SetupItem, 'index' | 'id' | 'assets'>, key: string): Promise<Raster> {
  try {
    return await openRasterCached(item.assets[key].href);
  } catch (e) {
    throw new InputError(assetWhere(item, key), e instanceof InputError ? e.detail : describeError(e), { cause: e });
  }
}

/** The items as partitions need them: ids for messages, and only the asset hrefs the op reads. */
export function setupItemsOf(items: ResolvedItem[], keys: string[]): SetupItem[] {
  return items.map((item) => ({
    id: item.id, index: item.index, datetime: item.datetime,
    assets: Object.fromEntries(keys.map((k) => [k, { href: assetOf(item, k).href }])),
  }));
}

/**
 * Opens every asset's header up front: a missing or broken file fails the job before any work. With
 * `mask`, each excluded class must be a value the mask asset's data type can hold (300 on a uint8 SCL
 * would silently mask nothing).
 */
export async function checkItemAssets(items: SetupItem[], keys: string[], grid: Grid | undefined, mask?: MaskSpec): Promise<void> {
  await Promise.all(items.flatMap((item) => keys.map(async (key) => {
    const { grid: own, dtype } = (await openItemAsset(item, key)).info;
    if (grid && own.crs !== grid.crs) {
      throw new InputError(assetWhere(item, key), `is in ${own.crs} but the output grid is in ${grid.crs}; this op does not reproject (coherence-merge does)`);
    }
    if (mask && key === mask.asset) {
      const k = mask.exclude.findIndex((c) => !fitsDtype(c, dtype));
      if (k >= 0) throw new InputError(`params.mask.exclude[${k}]`, `class ${mask.exclude[k]} cannot occur in ${assetWhere(item, key)}, whose data type is ${dtype}`);
    }
  })));
}

/** Sets `values[i]` to NaN wherever `mask[i]` holds an excluded class. */
export function applyMask(values: Float32Array[], mask: Float32Array, exclude: Set<number>): void {
  for (let i = 0; i < mask.length; i++) {
    if (exclude.has(mask[i])) for (const v of values) v[i] = NaN;
  }
}
