/**
 * Opens a (Cloud Optimized) GeoTIFF or a JPEG 2000 file (told apart by their first bytes) through the storage
 * seam and reads windows of it. Only the header is read on opening (one range request for a COG); each window
 * read fetches the blocks or code-stream tiles it touches, merging nearby ones into one request. Headers are
 * checked against TIFF_LIMITS / JP2_LIMITS before anything is allocated. `fallback` carries what the STAC
 * item says (nodata, proj:*), used where the file itself is silent.
 *
 * @example
 * const raster = await openRaster('s3://sentinel-cogs/.../B04.tif');
 * const b04 = await openRaster('s3://eodata/.../T33TWM_20230810T095559_B04_10m.jp2', { nodata: 0 });
 * const red = await raster.readWindow({ x: 0, y: 0, width: 1024, height: 1024 });  // Uint16Array
 * await raster.close();
 */
import { InputError } from '../../errors.ts';
import { fitsDtype } from '../fitsDtype.ts';
import { isJpeg2000 } from './jp2/jp2Boxes.ts';
import { openJp2Raster } from './jp2/openJp2Raster.ts';
import { readTiffRasterInfo } from './readTiffRasterInfo.ts';
import { readTiffWindow } from './readTiffWindow.ts';
import { TiffBytes } from './tiffBytes.ts';
import { TiffDirectory } from './tiffDirectory.ts';
import { readTiffLayout } from './tiffLayout.ts';
import type { Raster, RasterFallback } from './raster.ts';
import type { TypedArray, Window } from '../types.ts';

export type { Raster, RasterFallback } from './raster.ts';

export async function openRaster(href: string, fallback: RasterFallback = {}): Promise<Raster> {
  const bytes = await TiffBytes.open(href);
  if (isJpeg2000(await bytes.read(0, Math.min(12, bytes.size), 'file signature'))) return openJp2Raster(bytes, fallback);
  const dir = await TiffDirectory.read(bytes);
  const layout = await readTiffLayout(dir);
  const tiffInfo = await readTiffRasterInfo(dir, layout);
  const info = tiffInfo.nodata === undefined && fallback.nodata !== undefined ? { ...tiffInfo, nodata: fallback.nodata } : tiffInfo;
  const fill = info.nodata !== undefined && fitsDtype(info.nodata, info.dtype) ? info.nodata : 0;
  let closed = false;
  return {
    info,
    readWindow(window: Window, band = 0, level = 0): Promise<TypedArray> {
      if (closed) return Promise.reject(new InputError(href, 'raster is closed'));
      if (level !== 0) return Promise.reject(new InputError(href, `resolution level ${level}: this TIFF reader reads full resolution only`));
      return readTiffWindow(bytes, layout, window, band, fill);
    },
    async close(): Promise<void> {
      // Storages open files per read, so nothing is held; closing only stops further reads.
      closed = true;
    },
  };
}
