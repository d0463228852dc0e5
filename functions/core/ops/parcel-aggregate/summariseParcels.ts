/**
 * What the planner needs to know of the parcels a tile writes rows for, small enough for the prepared job:
 * per occupied cell, its parcel count, the union of their reaches and the rows those span (summed per parcel).
 *
 * @example
 * const cells = summariseParcels(await parcelsOnGrid(source, grid), ownership.owned);
 */
import type { ParcelsOnGrid } from './parcelsOnGrid.ts';
import type { CellSummary } from './planParcelPartitions.ts';

export function summariseParcels(onGrid: ParcelsOnGrid, owned: Uint8Array): CellSummary[] {
  const cells = new Map<number, CellSummary>();
  for (let i = 0; i < onGrid.ids.length; i++) {
    if (!owned[i]) continue;
    const c = onGrid.cell[i];
    const entry = cells.get(c) ?? { cell: c, parcels: 0, reach: null, rows: 0, vertices: 0 };
    entry.parcels++;
    entry.vertices += onGrid.ringStart[onGrid.parcelRings[i + 1]] - onGrid.ringStart[onGrid.parcelRings[i]];
    const r = onGrid.reach.subarray(4 * i, 4 * i + 4);
    entry.rows += r[3] - r[1];
    entry.reach = entry.reach
      ? [Math.min(entry.reach[0], r[0]), Math.min(entry.reach[1], r[1]), Math.max(entry.reach[2], r[2]), Math.max(entry.reach[3], r[3])]
      : [r[0], r[1], r[2], r[3]];
    cells.set(c, entry);
  }
  return [...cells.values()].sort((a, b) => a.cell - b.cell);
}
