/**
 * A raster's pixel coordinates from map coordinates (column, row as fractional numbers, origin at the top-left
 * corner of pixel (0, 0)). The transform is GDAL's inverse geotransform (`x = -originX/resX + X * (1/resX)`),
 * not `(X - originX)/resX`, so that a vertex lands on the same side of a pixel centre as in `gdal_rasterize`
 * and rasterio.
 *
 * @example
 * const { ix0, ix1, iy0, iy1 } = pixelTransform(grid);
 * const column = ix0 + x * ix1, row = iy0 + y * iy1;
 */
import type { Grid } from '../raster/types.ts';

/** GDAL's inverse geotransform of a north-up grid: column = ix0 + X · ix1, row = iy0 + Y · iy1. */
export function pixelTransform(grid: Grid): { ix0: number; ix1: number; iy0: number; iy1: number } {
  return { ix0: -grid.originX / grid.resX, ix1: 1 / grid.resX, iy0: -grid.originY / -grid.resY, iy1: 1 / -grid.resY };
}
