/**
 * One partition of parcel-aggregate: rasterise its parcels (GDAL's rules) into pixel runs, one flat list for
 * all of them, then per item read the assets over the partition's window once, and summarise each band under
 * every parcel in one sweep (`BandParcelStats`). Items are read one after the other, so memory holds one
 * item's window at a time. Each parcel has runs of its own, so overlapping parcels each get all their pixels.
 *
 * @example
 * const part = await runParcelPartition(setup, { kx: 4, ky: 4, gx: 0, gy: 1 }, { x: 0, y: 1024, width: 1100, height: 1090 });
 */
import type { Grid, Window } from '../../raster/types.ts';
import { RingRasterizer, RunList } from '../../vector/rasterizeRings.ts';
import type { ParcelAggregateSetup } from './parcelSetup.ts';
import { BandParcelStats, parcelResults, type ParcelRuns } from './bandParcelStats.ts';
import { parcelsOnGrid, reachesGrid, type ParcelsOnGrid } from './parcelsOnGrid.ts';
import { ownsCell, type ParcelPartitionData } from './planParcelPartitions.ts';
import { readParcelLayers } from './readParcelLayers.ts';
import { parcelOwnership } from './parcelOwnership.ts';
import { writePartitionTable } from './writePartitionTable.ts';

export async function runParcelPartition(setup: ParcelAggregateSetup, data: ParcelPartitionData, window: Window | undefined, partitionId = 'part'): Promise<Uint8Array> {
  const { grid } = setup;
  // Only the parcels around the window are read: a partition's memory follows its own parcels, not the file.
  const onGrid = await parcelsOnGrid(setup.parcels, grid, true, window ?? { x: 0, y: 0, width: 0, height: 0 });
  const { owned } = parcelOwnership(onGrid, grid, setup.ownership);
  const own: number[] = [];
  for (let i = 0; i < onGrid.ids.length; i++) if (owned[i] && ownsCell(data, onGrid.cell[i], onGrid.cellsX)) own.push(i);
  const runs = rasterizeParcels(onGrid, own, grid, setup.rule);
  checkInside(runs, window, setup.parcels.href);
  const items = setup.items.length, bands = setup.bands.length;
  const results = parcelResults(own.length, items * bands, setup.stats.length);
  if (window && runs.maxPixels > 0) {
    const kernel = new BandParcelStats(setup.stats, runs.maxPixels);
    // Asset bands are summarised in place; only expressions need a layer of their own.
    const layer = setup.bands.some((b) => b.expression) ? new Float32Array(window.width * window.height) : undefined;
    for (let it = 0; it < items; it++) {
      const item = await readParcelLayers(setup, setup.items[it], window, layer);
      for (let b = 0; b < bands; b++) kernel.summarise(item.band(b), window, runs, results, it * bands + b);
    }
  }
  const parcels = own.map((i) => ({ index: onGrid.index[i], id: onGrid.ids[i] }));
  return writePartitionTable(setup, partitionId, parcels, results);
}

/** The pixel runs of the parcels `own` (indexes into onGrid.parcels), in that order. */
export function rasterizeParcels(onGrid: ParcelsOnGrid, own: number[], grid: Grid, rule: 'centroid' | 'all-touched'): ParcelRuns {
  const rasterizer = new RingRasterizer();
  const list = new RunList();
  const start = new Int32Array(own.length + 1);
  let maxPixels = 0;
  own.forEach((i, p) => {
    if (reachesGrid(onGrid, i)) {
      const pixels = rasterizer.rasterizeFlat(onGrid.xy, onGrid.ringStart, onGrid.parcelRings[i], onGrid.parcelRings[i + 1], grid.width, grid.height, rule, list);
      maxPixels = Math.max(maxPixels, pixels);
    }
    start[p + 1] = list.length;
  });
  return { runs: list.data, start, parcels: own.length, maxPixels };
}

function checkInside(runs: ParcelRuns, window: Window | undefined, href: string): void {
  const r = runs.runs, end = runs.start[runs.parcels];
  for (let k = 0; k < end; k += 3) {
    if (!window || r[k] < window.y || r[k] >= window.y + window.height || r[k + 1] < window.x || r[k + 2] > window.x + window.width) {
      throw new Error(`parcel pixels outside the partition window: the plan does not match the parcels (${href})`);
    }
  }
}
