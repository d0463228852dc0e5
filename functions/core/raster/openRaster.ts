/**
 * Opens a (Cloud Optimized) GeoTIFF through the storage seam and reads windows of it. Only the header is
 * read on opening (one range request for a COG); each window read fetches the blocks it touches, merging
 * nearby ones into one request. The header is checked against TIFF_LIMITS before anything is allocated.
 *
 * @example
 * const raster = await openRaster('s3://sentinel-cogs/.../B04.tif');
 * const red = await raster.readWindow({ x: 0, y: 0, width: 1024, height: 1024 });  // Uint16Array
 * await raster.close();
 */
import { InputError } from '../errors.ts';
import { fitsDtype } from './fitsDtype.ts';
import { readTiffRasterInfo } from './readTiffRasterInfo.ts';
import { readTiffWindow } from './readTiffWindow.ts';
import { TiffBytes } from './tiffBytes.ts';
import { TiffDirectory } from './tiffDirectory.ts';
import { readTiffLayout } from './tiffLayout.ts';
import type { RasterInfo, TypedArray, Window } from './types.ts';

export interface Raster {
  info: RasterInfo;
  /**
   * Pixels of one band (0-based) in the file's own dtype, row-major, window.width*window.height long.
   * Pixels of the window outside the raster, and of sparse blocks, hold nodata (0 when there is none).
   */
  readWindow(window: Window, band?: number): Promise<TypedArray>;
  close(): Promise<void>;
}

export async function openRaster(href: string): Promise<Raster> {
  const bytes = await TiffBytes.open(href);
  const dir = await TiffDirectory.read(bytes);
  const layout = await readTiffLayout(dir);
  const info = await readTiffRasterInfo(dir, layout);
  const fill = info.nodata !== undefined && fitsDtype(info.nodata, info.dtype) ? info.nodata : 0;
  let closed = false;
  return {
    info,
    readWindow(window: Window, band = 0): Promise<TypedArray> {
      if (closed) return Promise.reject(new InputError(href, 'raster is closed'));
      return readTiffWindow(bytes, layout, window, band, fill);
    },
    async close(): Promise<void> {
      // Storages open files per read, so nothing is held; closing only stops further reads.
      closed = true;
    },
  };
}
