/**
 * The parcels of a job on the raster grid: read, checked, reprojected to the grid's CRS and turned into pixel
 * coordinates, with each parcel's reach (the pixel rectangle either rule can touch, clipped to the grid) and
 * its cell: the CELL × CELL pixel square holding the centre of its bounding box (clamped to the grid, so a
 * parcel outside the raster still has one). A parcel belongs to exactly one cell, hence to one partition.
 * Kept per worker, so that the partitions a worker runs read and project the file once.
 *
 * @example
 * const onGrid = await parcelsOnGrid({ href, idProperty: 'ID' }, grid);
 * onGrid.xy.subarray(2 * onGrid.ringStart[0], 2 * onGrid.ringStart[1]); // parcel 0's first ring, pixel coordinates
 */
import { InputError } from '../../errors.ts';
import { transformer } from '../../geo/crs.ts';
import type { Grid, Window } from '../../raster/types.ts';
import { boundsInCrs } from '../../geo/boundsInCrs.ts';
import { readParcelBox } from '../../vector/readParcelBox.ts';
import { toParcels, type InvalidParcel } from '../../vector/toParcels.ts';
import { pixelTransform } from '../../vector/pixelTransform.ts';

/** Cell side in pixels: the unit partitions are made of. */
export const CELL = 256;

export interface ParcelSource {
  href: string;
  idProperty: string | string[];
  invalidGeometry?: 'error' | 'keep';
}

export interface ParcelsOnGrid {
  crs: string;
  /** Parcel p is feature index[p] of the file (file order); its id. */
  ids: string[];
  /** Position of each parcel in the file: the output's order, and a parcel's identity across partitions. */
  index: Int32Array;
  /** Features in the whole file, and whether this read went through its index (see `readParcelBox`). */
  total: number;
  indexed: boolean;
  /**
   * Pixel coordinates of every ring of every parcel in one array, x and y interleaved: ring q is the closed
   * vertex list xy[2 ringStart[q] .. 2 ringStart[q + 1]); parcel p owns rings parcelRings[p] .. parcelRings[p + 1].
   * Flat, so that 50,000 parcels are three typed arrays for the garbage collector, not 150,000 objects.
   */
  xy: Float64Array;
  ringStart: Int32Array;
  parcelRings: Int32Array;
  invalid: InvalidParcel[];
  /** x0, y0, x1, y1 (end exclusive) per parcel; x0 >= x1 when it reaches no pixel of the grid. */
  reach: Int32Array;
  /** Centre of each parcel's bounding box in the file's CRS (x, y interleaved): where the tile rule looks. */
  centre: Float64Array;
  /** Cell index (cy * cellsX + cx) per parcel. */
  cell: Int32Array;
  cellsX: number;
  cellsY: number;
  vertices: number;
  fileBytes: number;
}

const cache = new Map<string, Promise<ParcelsOnGrid>>();
const MAX_CACHED = 2;

/**
 * With `window`, only the parcels whose bounding boxes meet the window (in the file's CRS, a pixel wider on
 * every side) are read: what a partition needs. Reach and cell are those of the whole grid either way.
 */
export function parcelsOnGrid(source: ParcelSource, grid: Grid, trusted = false, window?: Window): Promise<ParcelsOnGrid> {
  const key = JSON.stringify([source.href, source.idProperty, source.invalidGeometry ?? 'error', grid, window]);
  const hit = cache.get(key);
  if (hit) return hit;
  const loading = load({ href: source.href, idProperty: source.idProperty, invalidGeometry: source.invalidGeometry }, grid, trusted, window);
  loading.catch(() => cache.delete(key));
  cache.set(key, loading);
  while (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
  return loading;
}

async function load(source: ParcelSource, grid: Grid, trusted: boolean, window: Window | undefined): Promise<ParcelsOnGrid> {
  const w = window ?? { x: 0, y: 0, width: grid.width, height: grid.height };
  const around: Grid = { ...grid, originX: grid.originX + (w.x - 1) * grid.resX, originY: grid.originY - (w.y - 1) * grid.resY, width: w.width + 2, height: w.height + 2 };
  const raw = await readParcelBox(source.href, (crs) => {
    try {
      return boundsInCrs(around, crs);
    } catch (e) {
      throw new InputError(source.href, `cannot reproject from ${crs} to the raster CRS ${grid.crs}: ${(e as Error).message}`);
    }
  });
  const { parcels, invalid } = toParcels(raw, { idProperty: source.idProperty, invalidGeometry: source.invalidGeometry, trusted });
  let project: (xy: [number, number]) => [number, number];
  try {
    project = transformer(raw.crs, grid.crs);
  } catch (e) {
    throw new InputError(source.href, `cannot reproject from ${raw.crs} to the raster CRS ${grid.crs}: ${(e as Error).message}`);
  }
  const cellsX = Math.max(1, Math.ceil(grid.width / CELL));
  const cellsY = Math.max(1, Math.ceil(grid.height / CELL));
  const n = parcels.length;
  let rings = 0, vertices = 0;
  for (const p of parcels) {
    for (const polygon of p.polygons) {
      rings += polygon.length;
      for (const ring of polygon) vertices += ring.length / 2;
    }
  }
  const xy = new Float64Array(2 * vertices);
  const ringStart = new Int32Array(rings + 1);
  const parcelRings = new Int32Array(n + 1);
  const reach = new Int32Array(4 * n);
  const cell = new Int32Array(n);
  const centre = new Float64Array(2 * n);
  const { ix0, ix1, iy0, iy1 } = pixelTransform(grid);
  const at: [number, number] = [0, 0];
  let q = 0, v = 0;
  for (let i = 0; i < n; i++) {
    const p = parcels[i];
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    let fx0 = Infinity, fy0 = Infinity, fx1 = -Infinity, fy1 = -Infinity;
    for (const polygon of p.polygons) {
      for (const ring of polygon) {
        for (let k = 0; k < ring.length; k += 2, v += 2) {
          if (ring[k] < fx0) fx0 = ring[k];
          if (ring[k] > fx1) fx1 = ring[k];
          if (ring[k + 1] < fy0) fy0 = ring[k + 1];
          if (ring[k + 1] > fy1) fy1 = ring[k + 1];
          at[0] = ring[k];
          at[1] = ring[k + 1];
          const t = project(at);
          const x = ix0 + t[0] * ix1, y = iy0 + t[1] * iy1;
          if (!Number.isFinite(x) || !Number.isFinite(y)) {
            throw new InputError(source.href, `feature ${p.index} (id ${p.id}) does not project to ${grid.crs} (outside the projection's domain)`);
          }
          xy[v] = x;
          xy[v + 1] = y;
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
          if (y < y0) y0 = y;
          if (y > y1) y1 = y;
        }
        ringStart[++q] = v / 2;
      }
    }
    parcelRings[i + 1] = q;
    centre[2 * i] = (fx0 + fx1) / 2;
    centre[2 * i + 1] = (fy0 + fy1) / 2;
    if (x0 <= x1) {
      reach[4 * i] = Math.max(0, Math.floor(x0));
      reach[4 * i + 1] = Math.max(0, Math.floor(y0));
      reach[4 * i + 2] = Math.min(grid.width, Math.floor(x1) + 1);
      reach[4 * i + 3] = Math.min(grid.height, Math.floor(y1) + 1);
      const cx = clamp(Math.floor((x0 + x1) / 2 / CELL), cellsX);
      const cy = clamp(Math.floor((y0 + y1) / 2 / CELL), cellsY);
      cell[i] = cy * cellsX + cx;
    }
  }
  const ids = parcels.map((p) => p.id);
  const index = Int32Array.from(parcels, (p) => p.index);
  return { crs: raw.crs, ids, index, total: raw.total, indexed: raw.indexed, xy, ringStart, parcelRings, invalid, reach, centre, cell, cellsX, cellsY, vertices, fileBytes: raw.bytes };
}

/** Drops what `prepare` read (a whole tile's parcels): partitions read their own windows again. */
export function forgetParcelsOnGrid(): void {
  cache.clear();
}

function clamp(v: number, n: number): number {
  return v < 0 ? 0 : v >= n ? n - 1 : v;
}

/** True when the parcel's reach holds at least one pixel of the grid. */
export function reachesGrid(onGrid: ParcelsOnGrid, i: number): boolean {
  return onGrid.reach[4 * i] < onGrid.reach[4 * i + 2] && onGrid.reach[4 * i + 1] < onGrid.reach[4 * i + 3];
}
