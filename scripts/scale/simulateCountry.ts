/**
 * The plan of a country-year simulated without its data: per tile, parcels spread evenly over the farmed
 * share of the tile's 256-pixel cells, run through the real parcel planner (`planParcelPartitions`, the
 * memory model) and `scalePlan` (seconds at the measured throughputs, cost, wall time). Checked against the
 * real plan of the Denmark job (scripts/scale/make_country.py) in docs/scale.md.
 *
 *   npx node scripts/scale/simulateCountry.ts --parcels 9500000 --tiles 110 --dates 37 [--memory 1769] [--concurrency 1000]
 *
 * @example
 * const s = simulateCountry({ parcels: 9.5e6, tiles: 110, dates: 37 });
 */
import { parseArgs } from 'node:util';
import type { JobPlan } from '../../functions/core/engine/index.ts';
import { planParcelPartitions, type CellSummary } from '../../functions/core/ops/parcel-aggregate/planParcelPartitions.ts';
import type { PartitionSpec } from '../../functions/core/plan/types.ts';
import { budgetBytes } from '../../functions/core/plan/memoryModel.ts';
import { formatScale, scalePlan, type ScalePlan } from '../../functions/core/plan/scalePlan.ts';

export interface CountryShape {
  parcels: number;
  tiles: number;
  dates: number;
  /** Share of a tile's cells holding parcels (default 0.6: farmland, not sea or forest). */
  farmed?: number;
  verticesPerParcel?: number;
  fileBytesPerParcel?: number;
  memoryMb?: number;
  concurrency?: number;
}

const CELLS = 43; // 10980 px / 256

export function simulateCountry(c: CountryShape): { plan: JobPlan; scale: ScalePlan } {
  const farmed = c.farmed ?? 0.6, vertices = c.verticesPerParcel ?? 5, fileBytes = c.fileBytesPerParcel ?? 195;
  const perTile = c.parcels / c.tiles;
  const occupied = Math.round(CELLS * CELLS * farmed);
  const partitions: PartitionSpec[] = [];
  for (let t = 0; t < c.tiles; t++) {
    const cells: CellSummary[] = [];
    for (let k = 0; k < occupied; k++) {
      // Farmed cells in rows from the top, evenly filled; a 2-4 ha parcel's reach spans ~17 rows.
      const cell = Math.floor((k * CELLS * CELLS) / occupied);
      const n = Math.round(((k + 1) * perTile) / occupied) - Math.round((k * perTile) / occupied);
      const cx = cell % CELLS, cy = Math.floor(cell / CELLS);
      cells.push({ cell, parcels: n, reach: [cx * 256, cy * 256, Math.min(10980, cx * 256 + 272), Math.min(10980, cy * 256 + 272)], rows: n * 17, vertices: n * vertices });
    }
    const plan = planParcelPartitions({
      cells, cellsX: CELLS, cellsY: CELLS, parcels: { count: c.parcels, vertices: perTile * vertices, fileBytes: c.parcels * fileBytes, indexed: true },
      inputs: 2, nativeSampleBytes: [], mask: true, expressions: true, items: c.dates, bands: 3, stats: 8,
    }, { budgetBytes: budgetBytes(c.memoryMb ?? 1769) });
    for (const p of plan.partitions) partitions.push({ ...p, id: `T${t}-${p.id}`, tile: `T${String(t).padStart(3, '0')}` });
  }
  const plan: JobPlan = { jobId: 'simulated', op: 'parcel-aggregate', memoryMb: c.memoryMb ?? 1769, partitions, mergePeakBytes: 0, model: { items: c.dates } };
  return { plan, scale: scalePlan(plan, { concurrency: c.concurrency }) };
}

if (import.meta.main) {
  const { values: v } = parseArgs({ options: { parcels: { type: 'string' }, tiles: { type: 'string' }, dates: { type: 'string' }, memory: { type: 'string' }, concurrency: { type: 'string' }, farmed: { type: 'string' } } });
  const n = (s: string | undefined, d: number) => (s === undefined ? d : Number(s));
  const { scale } = simulateCountry({
    parcels: n(v.parcels, 9.5e6), tiles: n(v.tiles, 110), dates: n(v.dates, 37), farmed: n(v.farmed, 0.6),
    memoryMb: n(v.memory, 1769), concurrency: n(v.concurrency, 1000),
  });
  process.stdout.write(formatScale(scale));
}
