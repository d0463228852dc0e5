/**
 * What a STAC item says about one asset's raster, for a reader to use where the file is silent: the STAC
 * nodata (read by assetRadiometry's rules, passed in) and the grid (`proj:code`, or `proj:epsg`, and
 * `proj:transform`, on the asset or else the item). A JPEG 2000 band has no nodata field and may have no
 * georeferencing box; a GeoTIFF's own tags win over all of this.
 *
 * @example
 * rasterFallbackOf(item.assets.B04_10m, item, 0);  // { nodata: 0, crs: 'EPSG:32633', transform: [10, 0, 399960, 0, -10, 5000040] }
 */
import type { RasterFallback } from '../raster/read/openRaster.ts';
import type { ResolvedAsset, ResolvedItem } from './resolveItems.ts';

export function rasterFallbackOf(asset: ResolvedAsset, item: Pick<ResolvedItem, 'properties'>, nodata: number | undefined): RasterFallback | undefined {
  const fallback: RasterFallback = {};
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

