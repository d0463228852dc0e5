/**
 * The north-up grid of a GeoTIFF: CRS from its GeoKeys, origin and pixel size from ModelTiepoint +
 * ModelPixelScale or from a ModelTransformation without rotation. PixelIsPoint files are shifted by half a
 * pixel as GDAL does, so that the origin is always a pixel corner.
 *
 * @example
 * const { grid } = await readTiffGrid(dir, 10980, 10980);  // grid.crs 'EPSG:32633', grid.originX 399960...
 */
import { BadTiffError } from '../../errors.ts';
import type { TiffDirectory } from './tiffDirectory.ts';
import { TAG } from './tiffTags.ts';
import type { Grid } from '../types.ts';

const KEY = {
  GTModelType: 1024,
  GTRasterType: 1025,
  GTCitation: 1026,
  GeographicType: 2048,
  GeogCitation: 2049,
  ProjectedCSType: 3072,
  PCSCitation: 3073,
} as const;
const USER_DEFINED = 32767;
const PIXEL_IS_POINT = 2;

export interface TiffGrid {
  grid: Grid;
  /** GDAL's AREA_OR_POINT item, from the GTRasterType key when the file has one. */
  areaOrPoint?: 'Area' | 'Point';
}

export async function readTiffGrid(dir: TiffDirectory, width: number, height: number): Promise<TiffGrid> {
  const href = dir.bytes.href;
  const keys = await readGeoKeys(dir);
  const crs = crsOf(keys);
  const transform = await dir.numbers(TAG.ModelTransformation, 'ModelTransformation', 16);
  const scale = await dir.numbers(TAG.ModelPixelScale, 'ModelPixelScale', 3);
  const tie = await dir.numbers(TAG.ModelTiepoint, 'ModelTiepoint', 6 * 1024);
  let originX = 0;
  let originY = 0;
  let resX = 1;
  let resY = 1;
  if (transform && transform.length >= 8) {
    if (transform[1] !== 0 || transform[4] !== 0) {
      throw new BadTiffError(href, 'rotated or sheared grids (ModelTransformation) are not supported');
    }
    [resX, resY, originX, originY] = [transform[0], -transform[5], transform[3], transform[7]];
  } else if (scale && scale.length >= 2 && tie && tie.length >= 6) {
    [resX, resY] = [scale[0], scale[1]];
    originX = tie[3] - tie[0] * resX;
    originY = tie[4] + tie[1] * resY;
  }
  if (!(resX > 0 && resY > 0) || ![originX, originY, resX, resY].every(Number.isFinite)) {
    throw new BadTiffError(href, `grid is not north-up with positive pixel size (pixel size ${resX} x ${-resY})`);
  }
  const rasterType = keys.get(KEY.GTRasterType);
  if (rasterType === PIXEL_IS_POINT) {
    originX -= resX / 2;
    originY += resY / 2;
  }
  const grid = { crs, width, height, originX, originY, resX, resY };
  if (rasterType === undefined) return { grid };
  return { grid, areaOrPoint: rasterType === PIXEL_IS_POINT ? 'Point' : 'Area' };
}

/** "EPSG:n" from the projected or geographic CRS key; the citation text when the CRS is user-defined. */
function crsOf(keys: Map<number, number | string>): string {
  const projected = keys.get(KEY.ProjectedCSType);
  if (typeof projected === 'number' && projected > 0 && projected < USER_DEFINED) return `EPSG:${projected}`;
  const modelType = keys.get(KEY.GTModelType);
  const geographic = keys.get(KEY.GeographicType);
  if (modelType !== 1 && typeof geographic === 'number' && geographic > 0 && geographic < USER_DEFINED) {
    return `EPSG:${geographic}`;
  }
  const citation = keys.get(KEY.PCSCitation) ?? keys.get(KEY.GTCitation) ?? keys.get(KEY.GeogCitation);
  return typeof citation === 'string' ? citation.replace(/\|$/, '') : '';
}

async function readGeoKeys(dir: TiffDirectory): Promise<Map<number, number | string>> {
  const keys = new Map<number, number | string>();
  const directory = await dir.numbers(TAG.GeoKeyDirectory, 'GeoKeyDirectory');
  if (!directory || directory.length < 4) return keys;
  const ascii = await dir.ascii(TAG.GeoAsciiParams, 'GeoAsciiParams');
  const doubles = await dir.numbers(TAG.GeoDoubleParams, 'GeoDoubleParams');
  const n = Math.min(directory[3], (directory.length - 4) / 4);
  for (let i = 0; i < n; i++) {
    const [id, location, count, value] = directory.subarray(4 + i * 4, 8 + i * 4);
    if (location === 0) keys.set(id, value);
    else if (location === TAG.GeoAsciiParams && ascii !== undefined) keys.set(id, ascii.slice(value, value + count));
    else if (location === TAG.GeoDoubleParams && doubles && value < doubles.length) keys.set(id, doubles[value]);
  }
  return keys;
}
