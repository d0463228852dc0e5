/**
 * Which parcels a tile writes rows for, by one deterministic rule (`params.overlap`):
 * - `one` (default): each parcel belongs to one tile: the one whose footprint holds the centre of the
 *   parcel's bounding box (taken in the parcel file's CRS, projected to each tile's CRS) deepest, i.e.
 *   farthest from the footprint's nearest edge; ties go to the tile key first in sort order. The centre is
 *   computed once in one CRS, so every tile reaches the same verdict on its own.
 * - `all`: a parcel has rows from every tile whose grid holds a pixel of its reach (the same acquisition
 *   seen on two overlapping MGRS tiles gives two sets of rows, told apart by item id).
 * A parcel is covered when its tile (any tile, for `all`) has a pixel of its reach; the others get no rows.
 * Each tile counts the covered parcels whose centre it owns, so that the counts of all tiles add up to the
 * parcels covered, and the file's feature count minus that sum is the parcels no tile covers (those far
 * from every tile are never read). A single-grid job is the case of one tile.
 *
 * @example
 * const { owned, covered } = parcelOwnership(onGrid, grid, { overlap: 'one', self: 1, tiles });
 */
import { transformer } from '../../geo/crs.ts';
import type { Grid } from '../../raster/types.ts';
import type { TileContext } from '../types.ts';
import { reachesGrid, type ParcelsOnGrid } from './parcelsOnGrid.ts';

export interface Ownership {
  /** 1 where this tile writes the parcel's rows. */
  owned: Uint8Array;
  ownedCount: number;
  /** Covered parcels whose centre this tile owns (see above). */
  covered: number;
}

export type OwnershipRule = { overlap: 'one' | 'all' } & Partial<TileContext>;

const cache = new WeakMap<ParcelsOnGrid, Map<string, Ownership>>();

export function parcelOwnership(onGrid: ParcelsOnGrid, grid: Grid, rule: OwnershipRule): Ownership {
  const key = JSON.stringify([rule.overlap, rule.self, rule.tiles?.map((t) => t.key)]);
  const perGrid = cache.get(onGrid) ?? new Map<string, Ownership>();
  cache.set(onGrid, perGrid);
  const hit = perGrid.get(key);
  if (hit) return hit;
  const result = compute(onGrid, grid, rule);
  perGrid.set(key, result);
  return result;
}

function compute(onGrid: ParcelsOnGrid, grid: Grid, rule: OwnershipRule): Ownership {
  const n = onGrid.ids.length;
  const owned = new Uint8Array(n);
  const tiles = rule.tiles && rule.tiles.length > 1 ? rule.tiles : undefined;
  const self = rule.self ?? 0;
  const toTile = tiles?.map((t) => transformer(onGrid.crs, t.grid.crs));
  let ownedCount = 0, covered = 0;
  const at: [number, number] = [0, 0];
  for (let i = 0; i < n; i++) {
    const reaches = reachesGrid(onGrid, i);
    let owner = self;
    if (tiles) {
      let best = -Infinity;
      for (let t = 0; t < tiles.length; t++) {
        at[0] = onGrid.centre[2 * i];
        at[1] = onGrid.centre[2 * i + 1];
        const depth = depthIn(toTile![t](at), tiles[t].grid);
        if (depth > best) { best = depth; owner = t; }
      }
    }
    const mine = rule.overlap === 'all' ? reaches : reaches && owner === self;
    if (mine) { owned[i] = 1; ownedCount++; }
    if (owner === self && (reaches || (rule.overlap === 'all' && tiles && reachesAnyOther(onGrid, i, grid, tiles, self)))) covered++;
  }
  return { owned, ownedCount, covered };
}

/** Distance from a point to the nearest edge of a grid's footprint, in the grid's units (negative outside). */
function depthIn(xy: [number, number], g: Grid): number {
  const [x, y] = xy;
  if (!Number.isFinite(x) || !Number.isFinite(y)) return -Infinity;
  return Math.min(x - g.originX, g.originX + g.width * g.resX - x, g.originY - y, y - (g.originY - g.height * g.resY));
}

/** Whether parcel i's reach holds a pixel of another tile's grid (its vertices, from this grid's pixels). */
function reachesAnyOther(onGrid: ParcelsOnGrid, i: number, grid: Grid, tiles: { grid: Grid }[], self: number): boolean {
  const from = onGrid.ringStart[onGrid.parcelRings[i]], to = onGrid.ringStart[onGrid.parcelRings[i + 1]];
  for (let t = 0; t < tiles.length; t++) {
    if (t === self) continue;
    const g = tiles[t].grid;
    const project = transformer(grid.crs, g.crs);
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (let v = from; v < to; v++) {
      const q = project([grid.originX + onGrid.xy[2 * v] * grid.resX, grid.originY - onGrid.xy[2 * v + 1] * grid.resY]);
      const px = (q[0] - g.originX) / g.resX, py = (g.originY - q[1]) / g.resY;
      if (px < x0) x0 = px;
      if (px > x1) x1 = px;
      if (py < y0) y0 = py;
      if (py > y1) y1 = py;
    }
    if (Math.max(0, Math.floor(x0)) < Math.min(g.width, Math.floor(x1) + 1) && Math.max(0, Math.floor(y0)) < Math.min(g.height, Math.floor(y1) + 1)) return true;
  }
  return false;
}
