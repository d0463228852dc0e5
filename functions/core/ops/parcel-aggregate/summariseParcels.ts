/**
 * What the planner needs to know of the parcels, small enough for the prepared job: per occupied cell, its
 * parcel count, the union of their reaches and the rows those span (summed per parcel); and how many parcels reach no pixel of the raster grid.
 *
 * @example
 * const { cells, outside } = summariseParcels(await parcelsOnGrid(source, grid));
 */
import { reachesGrid, type ParcelsOnGrid } from './parcelsOnGrid.ts';
import type { CellSummary } from './planParcelPartitions.ts';

export function summariseParcels(onGrid: ParcelsOnGrid): { cells: CellSummary[]; outside: number } {
  const cells = new Map<number, CellSummary>();
  let outside = 0;
  onGrid.ids.forEach((_, i) => {
    const c = onGrid.cell[i];
    const entry = cells.get(c) ?? { cell: c, parcels: 0, reach: null, rows: 0 };
    entry.parcels++;
    if (reachesGrid(onGrid, i)) {
      const r = onGrid.reach.subarray(4 * i, 4 * i + 4);
      entry.rows += r[3] - r[1];
      entry.reach = entry.reach
        ? [Math.min(entry.reach[0], r[0]), Math.min(entry.reach[1], r[1]), Math.max(entry.reach[2], r[2]), Math.max(entry.reach[3], r[3])]
        : [r[0], r[1], r[2], r[3]];
    } else {
      outside++;
    }
    cells.set(c, entry);
  });
  return { cells: [...cells.values()].sort((a, b) => a.cell - b.cell), outside };
}
