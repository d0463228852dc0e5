/**
 * Keeps recently used rasters open within a worker, so that the partitions of a job parse each COG
 * header once instead of once per partition. An asset may carry what its STAC item says (`fallback`).
 *
 * @example
 * const raster = await openRasterCached(href);
 * const b04 = await openRasterCached({ href: '.../B04_10m.jp2', fallback: { nodata: 0 } });
 */
import { openRaster, type Raster, type RasterFallback } from '../raster/read/openRaster.ts';

const MAX_OPEN = 64;
const open = new Map<string, Promise<Raster>>();

export function openRasterCached(asset: string | { href: string; fallback?: RasterFallback }): Promise<Raster> {
  const { href, fallback } = typeof asset === 'string' ? { href: asset, fallback: undefined } : asset;
  const hit = open.get(href);
  if (hit) {
    open.delete(href);
    open.set(href, hit); // most recently used goes last
    return hit;
  }
  const opening = openRaster(href, fallback);
  opening.catch(() => open.delete(href)); // a failed open is not cached: the next try reads again
  open.set(href, opening);
  while (open.size > MAX_OPEN) {
    const [oldest, raster] = open.entries().next().value!;
    open.delete(oldest);
    raster.then((r) => r.close(), () => undefined);
  }
  return opening;
}

export async function closeCachedRasters(): Promise<void> {
  const all = [...open.values()];
  open.clear();
  await Promise.all(all.map((p) => p.then((r) => r.close(), () => undefined)));
}
