/**
 * A grid's outline carried into another CRS, for overlap tests and read-size estimates between grids in
 * different CRSs. The outline is densified so that a UTM square maps to a faithful lon/lat shape.
 *
 * @example
 * boundsInCrs(utmGrid, 'EPSG:4326'); // [minLon, minLat, maxLon, maxLat]
 * gridsOverlap(coherenceGrid, utmGrid); // false when they share no area
 */
import type { Grid } from '../raster/types.ts';
import { transformer } from './crs.ts';
import { boundsOf } from './gridOps.ts';

export type Bounds = [number, number, number, number];

/** The bounding box, in `crs`, of `grid`'s densified outline (points that do not project are left out). */
export function boundsInCrs(grid: Grid, crs: string, steps = 16): Bounds | undefined {
  const [minx, miny, maxx, maxy] = boundsOf(grid);
  const project = transformer(grid.crs, crs);
  let bx0 = Infinity, by0 = Infinity, bx1 = -Infinity, by1 = -Infinity;
  for (let k = 0; k <= steps; k++) {
    for (let l = 0; l <= steps; l++) {
      if (k !== 0 && k !== steps && l !== 0 && l !== steps) continue; // outline only
      const [x, y] = project([minx + ((maxx - minx) * k) / steps, miny + ((maxy - miny) * l) / steps]);
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      bx0 = Math.min(bx0, x); by0 = Math.min(by0, y); bx1 = Math.max(bx1, x); by1 = Math.max(by1, y);
    }
  }
  return bx0 === Infinity ? undefined : [bx0, by0, bx1, by1];
}

/** Whether `source`'s outline, carried into `target`'s CRS, shares some area with `target`. */
export function gridsOverlap(source: Grid, target: Grid): boolean {
  const s = boundsInCrs(source, target.crs);
  if (!s) return false;
  const t = boundsOf(target);
  return s[0] < t[2] && s[2] > t[0] && s[1] < t[3] && s[3] > t[1];
}

/**
 * Source pixels per target pixel: the area of `target`'s outline in `source`'s pixel units over the
 * target's pixel count. A window of the target reads about this many source pixels per pixel.
 *
 * @example
 * sourcePixelsPerTargetPixel(s2Grid10m, grid150m); // 225
 */
export function sourcePixelsPerTargetPixel(source: Grid, target: Grid): number {
  const b = boundsInCrs(target, source.crs);
  if (!b) return 1;
  const area = ((b[2] - b[0]) / source.resX) * ((b[3] - b[1]) / source.resY);
  return area / (target.width * target.height);
}
