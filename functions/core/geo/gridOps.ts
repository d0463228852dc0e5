/**
 * Grid arithmetic shared by the ops: grids from specs, bounds, and WGS84 footprints for STAC items.
 *
 * @example
 * const grid = gridFromSpec({ crs: 'EPSG:32633', bounds: [500000, 5000000, 509800, 5009800], resolution: 10 });
 */
import type { GridSpec } from '../contract/commonSchemas.ts';
import type { Grid, Window } from '../raster/types.ts';
import { projDefOf, transformer } from './crs.ts';

export function gridFromSpec(spec: GridSpec): Grid {
  projDefOf(spec.crs); // fails early on a CRS we cannot place
  const [rx, ry] = typeof spec.resolution === 'number' ? [spec.resolution, spec.resolution] : spec.resolution;
  const [minx, miny, maxx, maxy] = spec.bounds;
  return {
    crs: spec.crs.toUpperCase(),
    width: Math.max(1, Math.round((maxx - minx) / rx)),
    height: Math.max(1, Math.round((maxy - miny) / ry)),
    originX: minx,
    originY: maxy,
    resX: rx,
    resY: ry,
  };
}

export function boundsOf(grid: Grid, window?: Window): [number, number, number, number] {
  const w = window ?? { x: 0, y: 0, width: grid.width, height: grid.height };
  const minx = grid.originX + w.x * grid.resX;
  const maxy = grid.originY - w.y * grid.resY;
  return [minx, maxy - w.height * grid.resY, minx + w.width * grid.resX, maxy];
}

/** The grid's outline in WGS84, densified along the edges so that a UTM square maps to a faithful polygon. */
export function footprintWgs84(grid: Grid): { bbox: [number, number, number, number]; geometry: { type: 'Polygon'; coordinates: number[][][] } } {
  const [minx, miny, maxx, maxy] = boundsOf(grid);
  const toWgs = transformer(grid.crs, 'EPSG:4326');
  const steps = 8;
  const ring: [number, number][] = [];
  for (let i = 0; i < steps; i++) ring.push([minx + ((maxx - minx) * i) / steps, miny]);
  for (let i = 0; i < steps; i++) ring.push([maxx, miny + ((maxy - miny) * i) / steps]);
  for (let i = 0; i < steps; i++) ring.push([maxx - ((maxx - minx) * i) / steps, maxy]);
  for (let i = 0; i < steps; i++) ring.push([minx, maxy - ((maxy - miny) * i) / steps]);
  const coords = ring.map(toWgs).map(([x, y]) => [round(x), round(y)]);
  coords.push(coords[0]);
  const xs = coords.map((c) => c[0]), ys = coords.map((c) => c[1]);
  return {
    bbox: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)],
    geometry: { type: 'Polygon', coordinates: [coords] },
  };
}

function round(v: number): number {
  return Math.round(v * 1e7) / 1e7;
}

export function sameGrid(a: Grid, b: Grid): boolean {
  return a.crs === b.crs && a.width === b.width && a.height === b.height &&
    a.originX === b.originX && a.originY === b.originY && a.resX === b.resX && a.resY === b.resY;
}
