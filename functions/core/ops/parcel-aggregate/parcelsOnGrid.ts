/**
 * The parcels of a job on the raster grid: read, checked, reprojected to the grid's CRS and turned into pixel
 * coordinates, with each parcel's reach (the pixel rectangle either rule can touch, clipped to the grid) and
 * its cell: the CELL × CELL pixel square holding the centre of its bounding box (clamped to the grid, so a
 * parcel outside the raster still has one). A parcel belongs to exactly one cell, hence to one partition.
 * Kept per worker, so that the partitions a worker runs read and project the file once.
 *
 * @example
 * const onGrid = await parcelsOnGrid({ href, idProperty: 'ID' }, grid);
 * onGrid.parcels[0].rings; // pixel coordinates
 */
import { InputError } from '../../errors.ts';
import { transformer } from '../../geo/crs.ts';
import type { Grid } from '../../raster/types.ts';
import { readParcelFile } from '../../vector/readParcelFile.ts';
import { toParcels, type InvalidParcel } from '../../vector/toParcels.ts';
import { toPixelRings } from '../../vector/toPixelRings.ts';

/** Cell side in pixels: the unit partitions are made of. */
export const CELL = 256;

export interface ParcelSource {
  href: string;
  idProperty: string | string[];
  invalidGeometry?: 'error' | 'keep';
}

export interface GridParcel {
  index: number;
  id: string;
  rings: Float64Array[];
}

export interface ParcelsOnGrid {
  crs: string;
  parcels: GridParcel[];
  invalid: InvalidParcel[];
  /** x0, y0, x1, y1 (end exclusive) per parcel; x0 >= x1 when it reaches no pixel of the grid. */
  reach: Int32Array;
  /** Cell index (cy * cellsX + cx) per parcel. */
  cell: Int32Array;
  cellsX: number;
  cellsY: number;
  vertices: number;
  fileBytes: number;
}

const cache = new Map<string, Promise<ParcelsOnGrid>>();
const MAX_CACHED = 2;

export function parcelsOnGrid(source: ParcelSource, grid: Grid, trusted = false): Promise<ParcelsOnGrid> {
  const key = JSON.stringify([source.href, source.idProperty, source.invalidGeometry ?? 'error', grid]);
  const hit = cache.get(key);
  if (hit) return hit;
  const loading = load({ href: source.href, idProperty: source.idProperty, invalidGeometry: source.invalidGeometry }, grid, trusted);
  loading.catch(() => cache.delete(key));
  cache.set(key, loading);
  while (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
  return loading;
}

async function load(source: ParcelSource, grid: Grid, trusted: boolean): Promise<ParcelsOnGrid> {
  const raw = await readParcelFile(source.href);
  const { parcels, invalid } = toParcels(raw, { idProperty: source.idProperty, invalidGeometry: source.invalidGeometry, trusted });
  let project: (xy: [number, number]) => [number, number];
  try {
    project = transformer(raw.crs, grid.crs);
  } catch (e) {
    throw new InputError(source.href, `cannot reproject from ${raw.crs} to the raster CRS ${grid.crs}: ${(e as Error).message}`);
  }
  const cellsX = Math.max(1, Math.ceil(grid.width / CELL));
  const cellsY = Math.max(1, Math.ceil(grid.height / CELL));
  const reach = new Int32Array(4 * parcels.length);
  const cell = new Int32Array(parcels.length);
  let vertices = 0;
  const onGrid = parcels.map((p, i) => {
    const rings = toPixelRings(p.polygons, project, grid);
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const r of rings) {
      vertices += r.length / 2;
      for (let k = 0; k < r.length; k += 2) {
        if (!Number.isFinite(r[k]) || !Number.isFinite(r[k + 1])) {
          throw new InputError(source.href, `feature ${p.index} (id ${p.id}) does not project to ${grid.crs} (outside the projection's domain)`);
        }
        if (r[k] < x0) x0 = r[k];
        if (r[k] > x1) x1 = r[k];
        if (r[k + 1] < y0) y0 = r[k + 1];
        if (r[k + 1] > y1) y1 = r[k + 1];
      }
    }
    if (x0 <= x1) {
      reach[4 * i] = Math.max(0, Math.floor(x0));
      reach[4 * i + 1] = Math.max(0, Math.floor(y0));
      reach[4 * i + 2] = Math.min(grid.width, Math.floor(x1) + 1);
      reach[4 * i + 3] = Math.min(grid.height, Math.floor(y1) + 1);
      const cx = clamp(Math.floor((x0 + x1) / 2 / CELL), cellsX);
      const cy = clamp(Math.floor((y0 + y1) / 2 / CELL), cellsY);
      cell[i] = cy * cellsX + cx;
    }
    return { index: p.index, id: p.id, rings };
  });
  return { crs: raw.crs, parcels: onGrid, invalid, reach, cell, cellsX, cellsY, vertices, fileBytes: raw.bytes };
}

function clamp(v: number, n: number): number {
  return v < 0 ? 0 : v >= n ? n - 1 : v;
}

/** True when the parcel's reach holds at least one pixel of the grid. */
export function reachesGrid(onGrid: ParcelsOnGrid, i: number): boolean {
  return onGrid.reach[4 * i] < onGrid.reach[4 * i + 2] && onGrid.reach[4 * i + 1] < onGrid.reach[4 * i + 3];
}
