/**
 * Parcels reprojected to a raster's CRS and expressed in that raster's pixel coordinates (column, row as
 * fractional numbers, origin at the top-left corner of pixel (0, 0)). The pixel transform is GDAL's inverse
 * geotransform (`x = -originX/resX + X * (1/resX)`), not `(X - originX)/resX`, so that a vertex lands on
 * the same side of a pixel centre as in `gdal_rasterize` and rasterio.
 *
 * @example
 * const rings = toPixelRings(parcel.polygons, transformer('EPSG:3794', grid.crs), grid);
 */
import type { Grid } from '../raster/types.ts';
import type { Polygon } from './types.ts';

export function toPixelRings(polygons: Polygon[], project: (xy: [number, number]) => [number, number], grid: Grid): Float64Array[] {
  const { ix0, ix1, iy0, iy1 } = pixelTransform(grid);
  const rings: Float64Array[] = [];
  const xy: [number, number] = [0, 0];
  for (const polygon of polygons) {
    for (const ring of polygon) {
      const out = new Float64Array(ring.length);
      for (let i = 0; i < ring.length; i += 2) {
        xy[0] = ring[i];
        xy[1] = ring[i + 1];
        const q = project(xy); // no destructuring: it goes through the iterator protocol, per vertex
        out[i] = ix0 + q[0] * ix1;
        out[i + 1] = iy0 + q[1] * iy1;
      }
      rings.push(out);
    }
  }
  return rings;
}

/** GDAL's inverse geotransform of a north-up grid: column = ix0 + X · ix1, row = iy0 + Y · iy1. */
export function pixelTransform(grid: Grid): { ix0: number; ix1: number; iy0: number; iy1: number } {
  return { ix0: -grid.originX / grid.resX, ix1: 1 / grid.resX, iy0: -grid.originY / -grid.resY, iy1: 1 / -grid.resY };
}

/** [minCol, minRow, maxCol, maxRow] of pixel rings (fractional); undefined when there are none. */
export function pixelBounds(rings: Float64Array[]): [number, number, number, number] | undefined {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const r of rings) {
    for (let i = 0; i < r.length; i += 2) {
      if (r[i] < x0) x0 = r[i];
      if (r[i] > x1) x1 = r[i];
      if (r[i + 1] < y0) y0 = r[i + 1];
      if (r[i + 1] > y1) y1 = r[i + 1];
    }
  }
  return x0 <= x1 ? [x0, y0, x1, y1] : undefined;
}
