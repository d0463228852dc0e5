/**
 * One partition of parcel-aggregate: rasterise its parcels (GDAL's rules) into pixel runs, then per item
 * read the assets over the partition's window once, apply the mask, compute each band and summarise it
 * under every parcel. Items are read one after the other, so memory holds one item's window at a time.
 *
 * @example
 * const part = await runParcelPartition(setup, { kx: 4, ky: 4, gx: 0, gy: 1 }, { x: 0, y: 1024, width: 1100, height: 1090 });
 */
import type { Window } from '../../raster/types.ts';
import { rasterizeRings } from '../../vector/rasterizeRings.ts';
import { applyMask, readItemAsset } from '../readItemAsset.ts';
import { bandEvaluators, type ParcelAggregateSetup } from './parcelAggregate.ts';
import { encodeParcelPart, type ParcelRecord } from './parcelPart.ts';
import { parcelsOnGrid, reachesGrid } from './parcelsOnGrid.ts';
import { ownsCell, type ParcelPartitionData } from './planParcelPartitions.ts';
import { statsOf } from './parcelStats.ts';
import { Float32ArraySorter } from './sortFloat32.ts';

export async function runParcelPartition(setup: ParcelAggregateSetup, data: ParcelPartitionData, window: Window | undefined): Promise<Uint8Array> {
  const { grid } = setup;
  const onGrid = await parcelsOnGrid(setup.parcels, grid, true);
  const own: number[] = [];
  for (let i = 0; i < onGrid.parcels.length; i++) if (ownsCell(data, onGrid.cell[i], onGrid.cellsX)) own.push(i);
  const runs = own.map((i) => (reachesGrid(onGrid, i) ? rasterizeRings(onGrid.parcels[i].rings, grid.width, grid.height, setup.rule) : new Int32Array(0)));
  for (const r of runs) {
    for (let k = 0; k < r.length; k += 3) {
      if (!window || r[k] < window.y || r[k] >= window.y + window.height || r[k + 1] < window.x || r[k + 2] > window.x + window.width) {
        throw new Error(`parcel pixels outside the partition window: the plan does not match the parcels (${setup.parcels.href})`);
      }
    }
  }
  const items = setup.items.length, bands = setup.bands.length, nStats = setup.stats.length;
  const blocks = items * bands;
  const records: ParcelRecord[] = own.map((i) => ({
    index: onGrid.parcels[i].index, id: onGrid.parcels[i].id,
    counts: new Int32Array(2 * blocks), stats: new Float64Array(blocks * nStats).fill(Number.NaN),
  }));
  const maxPixels = runs.reduce((m, r) => Math.max(m, pixelsOf(r)), 0);
  if (window && maxPixels > 0) {
    const evaluators = bandEvaluators(setup);
    // Asset bands are summarised in place; only expressions need a layer of their own.
    const layer = new Float32Array(setup.bands.some((b) => b.expression) ? window.width * window.height : 0);
    const scratch = new Float32Array(maxPixels);
    const sorter = new Float32ArraySorter(maxPixels);
    const exclude = new Set(setup.mask?.exclude ?? []);
    for (let it = 0; it < items; it++) {
      const item = setup.items[it];
      const [values, mask] = await Promise.all([
        Promise.all(setup.inputs.map((key) => readItemAsset(item, key, grid, window))),
        setup.mask ? readItemAsset(item, setup.mask.asset, grid, window, true) : undefined,
      ]);
      if (mask) applyMask(values, mask, exclude);
      for (let b = 0; b < bands; b++) {
        const band = evaluators[b](values, layer);
        const block = it * bands + b;
        records.forEach((rec, p) => {
          const r = runs[p];
          let n = 0, nodata = 0;
          for (let k = 0; k < r.length; k += 3) {
            const base = (r[k] - window.y) * window.width - window.x;
            for (let c = r[k + 1]; c < r[k + 2]; c++) {
              const v = band[base + c];
              if (v === v) scratch[n++] = v;
              else nodata++;
            }
          }
          rec.counts[2 * block] = n;
          rec.counts[2 * block + 1] = nodata;
          statsOf(scratch, n, setup.stats, rec.stats, block * nStats, sorter);
        });
      }
    }
  }
  return encodeParcelPart({ items, bands, stats: nStats }, records);
}

function pixelsOf(runs: Int32Array): number {
  let n = 0;
  for (let k = 0; k < runs.length; k += 3) n += runs[k + 2] - runs[k + 1];
  return n;
}
