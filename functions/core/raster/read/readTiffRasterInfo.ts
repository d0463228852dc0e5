/**
 * Fills `RasterInfo` from a TIFF directory: grid, dtype, bands, nodata (GDAL_NODATA, "nan" and "inf"
 * allowed), block size, band descriptions and dataset metadata (GDAL_METADATA), plus the TIFF DateTime tag
 * as `TIFFTAG_DATETIME` and the GeoTIFF raster type as `AREA_OR_POINT`, as GDAL reports them.
 *
 * @example
 * const info = await readTiffRasterInfo(dir, layout);  // { grid: { crs: 'EPSG:32633', ... }, dtype: 'uint16', ... }
 */
import { BadTiffError } from '../../errors.ts';
import { parseGdalMetadata } from './gdalMetadata.ts';
import type { TiffDirectory } from './tiffDirectory.ts';
import { readTiffGrid } from './tiffGrid.ts';
import type { TiffLayout } from './tiffLayout.ts';
import { TAG } from './tiffTags.ts';
import type { RasterInfo } from '../types.ts';

export async function readTiffRasterInfo(dir: TiffDirectory, layout: TiffLayout): Promise<RasterInfo> {
  const href = dir.bytes.href;
  const { grid, areaOrPoint } = await readTiffGrid(dir, layout.width, layout.height);
  const nodataText = await dir.ascii(TAG.GdalNodata, 'GDAL_NODATA');
  const { metadata, descriptions } = parseGdalMetadata(await dir.ascii(TAG.GdalMetadata, 'GDAL_METADATA'), layout.bands);
  const dateTime = await dir.ascii(TAG.DateTime, 'DateTime');
  if (dateTime) metadata.TIFFTAG_DATETIME = dateTime;
  if (areaOrPoint) metadata.AREA_OR_POINT = areaOrPoint;
  return {
    href,
    grid,
    bands: layout.bands,
    dtype: layout.dtype,
    nodata: nodataText === undefined ? undefined : parseNodata(href, nodataText),
    blockWidth: layout.blockWidth,
    blockHeight: layout.blockHeight,
    descriptions,
    metadata,
  };
}

/** GDAL writes nodata as text: "0", "-9999", "1e+20", "nan", "inf", "-inf". */
function parseNodata(href: string, text: string): number {
  const t = text.trim().toLowerCase();
  if (t === 'nan' || t === '-nan') return Number.NaN;
  if (t === 'inf' || t === '+inf' || t === 'infinity') return Number.POSITIVE_INFINITY;
  if (t === '-inf' || t === '-infinity') return Number.NEGATIVE_INFINITY;
  const value = Number(t);
  if (t === '' || Number.isNaN(value)) throw new BadTiffError(href, `GDAL_NODATA "${text}" is not a number`);
  return value;
}
