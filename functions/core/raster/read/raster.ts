/**
 * An open raster, whatever its format (`openRaster` returns one for TIFF, `openJp2Raster` for JPEG 2000),
 * and what a STAC asset may say in place of a missing file field. Its own file so that each format's opener
 * can return it without importing `openRaster.ts`, which imports them.
 *
 * @example
 * const raster: Raster = await openRaster(href, { nodata: 0 });
 * const red = await raster.readWindow({ x: 0, y: 0, width: 256, height: 256 });
 */
import type { GridFallback } from './jp2/jp2Grid.ts';
import type { RasterInfo, TypedArray, Window } from '../types.ts';

export interface Raster {
  info: RasterInfo;
  /** Reduced resolutions the file decodes directly (JPEG 2000 wavelet levels); 0 or absent for TIFF. */
  levels?: number;
  /**
   * Pixels of one band (0-based) in the file's own dtype, row-major, window.width*window.height long.
   * Pixels of the window outside the raster, and of sparse blocks, hold nodata (0 when there is none).
   * `level` n > 0 reads the image halved n times (window in that image's pixels), where `levels` allows.
   */
  readWindow(window: Window, band?: number, level?: number): Promise<TypedArray>;
  close(): Promise<void>;
  /**
   * A JPEG 2000 file without TLM: the tile-part index its opening found by one small read per tile-part.
   * Handed back as `RasterFallback.jp2TileParts`, it spares the next opening of the same file those reads.
   */
  jp2TileParts?: TilePartIndex;
}

/** Where each tile's tile-parts are: `parts[tile]` = [offset, length, offset, length, …]; for a file of `size` bytes. */
export interface TilePartIndex {
  size: number;
  parts: number[][];
}

/** What a STAC asset says about a raster, used only where the file has no such field. */
export interface RasterFallback extends GridFallback {
  nodata?: number;
  /** A JPEG 2000 tile-part index an earlier opening found (prepare's); used only when the file's size matches. */
  jp2TileParts?: TilePartIndex;
}
