/**
 * What a STAC item says about one asset's raster, for a reader to use where the file is silent: nodata
 * (STAC 1.1 asset `nodata`, else `raster:bands[0].nodata` or `bands[0].nodata`) and the grid (`proj:code`, or
 * `proj:epsg`, and `proj:transform`, on the asset or else the item). A JPEG 2000 band has no nodata field
 * and may have no georeferencing box; a GeoTIFF's own tags win over all of this.
 *
 * @example
 * rasterFallbackOf(item.assets.B04_10m, item);  // { nodata: 0, crs: 'EPSG:32633', transform: [10, 0, 399960, 0, -10, 5000040] }
 */
import type { RasterFallback } from '../raster/openRaster.ts';
import type { ResolvedAsset, ResolvedItem } from './resolveItems.ts';

export function rasterFallbackOf(asset: ResolvedAsset, item: Pick<ResolvedItem, 'properties'>): RasterFallback | undefined {
  const fallback: RasterFallback = {};
  const bands = (asset['raster:bands'] ?? asset.bands) as Record<string, unknown>[] | undefined;
  const nodata = nodataOf(asset.nodata) ?? nodataOf(Array.isArray(bands) ? bands[0]?.nodata : undefined);
  if (nodata !== undefined) fallback.nodata = nodata;
  const pick = (key: string) => asset[key] ?? item.properties[key];
  const code = pick('proj:code');
  const epsg = pick('proj:epsg');
  const crs = typeof code === 'string' ? code : typeof epsg === 'number' ? `EPSG:${epsg}` : undefined;
  const transform = pick('proj:transform');
  if (crs && Array.isArray(transform) && transform.every((v) => typeof v === 'number')) {
    fallback.crs = crs;
    fallback.transform = transform as number[];
  }
  return Object.keys(fallback).length ? fallback : undefined;
}

/** STAC writes nodata as a number, or as "nan", "inf", "-inf". */
function nodataOf(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v === 'nan') return Number.NaN;
  if (v === 'inf') return Number.POSITIVE_INFINITY;
  if (v === '-inf') return Number.NEGATIVE_INFINITY;
  return undefined;
}
