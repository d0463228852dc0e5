/**
 * GeoTIFF georeferencing tags for a north-up grid with an EPSG code (writer side).
 * Only the three keys GDAL needs to recover the CRS are written: GDAL resolves the full definition from
 * the EPSG code itself, so citations and unit keys would only add bytes that can disagree with it.
 */
import { InputError } from '../../errors.ts';
import type { Grid } from '../types.ts';

const GT_MODEL_TYPE = 1024;
const GT_RASTER_TYPE = 1025;
const GEOGRAPHIC_TYPE = 2048;
const PROJECTED_CS_TYPE = 3072;
const MODEL_TYPE_PROJECTED = 1;
const MODEL_TYPE_GEOGRAPHIC = 2;
const RASTER_PIXEL_IS_AREA = 1;

export interface GeoTags {
  /** ModelPixelScaleTag (33550). */
  modelPixelScale: number[];
  /** ModelTiepointTag (33922). */
  modelTiepoint: number[];
  /** GeoKeyDirectoryTag (34735). */
  geoKeyDirectory: number[];
}

/**
 * The EPSG code of a `"EPSG:nnnn"` CRS string.
 *
 * @example
 * epsgCodeOf('EPSG:32633'); // 32633
 */
export function epsgCodeOf(crs: string): number {
  const m = /^\s*EPSG:(\d{4,6})\s*$/i.exec(crs);
  if (!m) throw new InputError('grid.crs', `expected "EPSG:<code>", got "${crs.slice(0, 60)}"`);
  return Number(m[1]);
}

/**
 * Whether an EPSG code names a geographic (lat/lon) CRS. EPSG keeps geographic 2D CRSs in 4000–4999;
 * 4326 is named for readers of this rule.
 *
 * @example
 * isGeographicEpsg(4326); // true
 * isGeographicEpsg(32633); // false
 */
function isGeographicEpsg(code: number): boolean {
  return code === 4326 || (code >= 4000 && code <= 4999);
}

/**
 * The GeoTIFF tags that place `grid` on the Earth (PixelIsArea, tie point at the top-left corner).
 *
 * @example
 * encodeGeoKeys({ crs: 'EPSG:32633', width: 10980, height: 10980, originX: 600000, originY: 5000040,
 *   resX: 10, resY: 10 }).geoKeyDirectory; // [1,1,0,3, 1024,0,1,1, 1025,0,1,1, 3072,0,1,32633]
 */
export function encodeGeoKeys(grid: Grid): GeoTags {
  const code = epsgCodeOf(grid.crs);
  const geographic = isGeographicEpsg(code);
  const keys: [number, number][] = [
    [GT_MODEL_TYPE, geographic ? MODEL_TYPE_GEOGRAPHIC : MODEL_TYPE_PROJECTED],
    [GT_RASTER_TYPE, RASTER_PIXEL_IS_AREA],
    [geographic ? GEOGRAPHIC_TYPE : PROJECTED_CS_TYPE, code],
  ];
  const directory = [1, 1, 0, keys.length];
  // Every value is a SHORT held in the entry itself (TIFFTagLocation 0, count 1).
  for (const [key, value] of keys) directory.push(key, 0, 1, value);
  return {
    modelPixelScale: [grid.resX, grid.resY, 0],
    modelTiepoint: [0, 0, 0, grid.originX, grid.originY, 0],
    geoKeyDirectory: directory,
  };
}
