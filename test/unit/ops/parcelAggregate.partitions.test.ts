/**
 * Partitioning never splits or double-counts a parcel: the table is the same, row for row, whatever the
 * memory budget makes the planner do.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DK_ITEMS, ROOT, runParcelJob } from './parcelTestKit.ts';
import { fitsBudget, planParcelPartitions, type PlanInputs } from '../../../functions/core/ops/parcel-aggregate/planParcelPartitions.ts';
import { BASELINE_BYTES } from '../../../functions/core/plan/memoryModel.ts';

/** The 24 Danish parcels on Zealand (east of 11.5 E): a 10 km cluster, so one partition stays small. */
function zealandParcels(): string {
  const all = JSON.parse(readFileSync(`${ROOT}/sample-data/parcels/dk-marker-2026.geojson`, 'utf8'));
  all.features = all.features.filter((f: { geometry: { coordinates: number[][][] } }) => f.geometry.coordinates[0][0][0] > 11.5);
  const path = join(mkdtempSync(join(tmpdir(), 'eofn-zealand-')), 'zealand.geojson');
  writeFileSync(path, JSON.stringify(all));
  return path;
}

/** Just above the model's fixed baseline (160 MB) and the loaded parcels: only windows of a cell or so fit. */
const TINY_MB = 161.2;

const DK = { parcels: zealandParcels(), idProperty: ['Journalnr', 'Marknr'], assets: ['value'], expressions: { half: 'value / 2' } };

describe('parcel-aggregate partitions', () => {
  for (const rule of ['centroid', 'all-touched'] as const) {
    it(`gives the same table with a tiny --memory (many partitions) as with one partition (${rule})`, async () => {
      // Prepare: one partition needs a huge budget (the parcels span Denmark), the tiny one forces many.
      const one = await runParcelJob({ ...DK, rule }, DK_ITEMS, { memoryMb: 1024 });
      // Act
      const many = await runParcelJob({ ...DK, rule }, DK_ITEMS, { memoryMb: TINY_MB });
      // Assess
      expect(one.plan.partitions.length).toBe(1);
      expect(many.plan.partitions.length).toBeGreaterThanOrEqual(4);
      // Parcels straddle cell edges: neighbouring partitions read overlapping windows, each parcel once.
      const w = many.plan.partitions.map((p) => p.window!);
      const overlaps = w.some((a, i) => w.some((b, j) => i !== j && a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height));
      expect(overlaps).toBe(true);
      expect(many.rows).toEqual(one.rows);
      expect(one.rows.length).toBe(2 * 24);
      expect(one.rows.filter((r) => (r.count as number) > 0).length).toBe(48);
    });
  }

  it('assigns every parcel to exactly one partition, and each partition estimate stays within the budget', async () => {
    const { prepared, plan } = await runParcelJob({ ...DK }, DK_ITEMS, { memoryMb: TINY_MB });
    const setup = prepared.setup as { cells: { parcels: number }[]; parcels: { count: number } };
    expect(setup.cells.reduce((s, c) => s + c.parcels, 0)).toBe(setup.parcels.count);
    expect(new Set(plan.partitions.map((p) => p.id)).size).toBe(plan.partitions.length);
    for (const p of plan.partitions) expect(fitsBudget(p.estimatedPeakBytes, TINY_MB * 2 ** 20)).toBe(true);
  });
});

describe('planParcelPartitions memory model', () => {
  const inputs = (over: Partial<PlanInputs> = {}): PlanInputs => ({
    cells: [{ cell: 0, parcels: 10, reach: [0, 0, 100, 100], rows: 400, vertices: 100 }, { cell: 3, parcels: 5, reach: [700, 10, 900, 200], rows: 500, vertices: 50 }],
    cellsX: 4, cellsY: 1, parcels: { count: 15, vertices: 150, fileBytes: 1000, indexed: false },
    inputs: 2, nativeSampleBytes: [], mask: true, expressions: true, items: 3, bands: 2, stats: 7, ...over,
  });

  // Its file of the dataset: its rows (parcels x 3 items x 2 bands, fewer than a row group) at 200 + 16 per statistic.
  const written = (parcels: number) => parcels * 3 * 2 * (200 + 16 * 7);

  it('estimates window pixels x bytes per pixel + loaded parcels + own parcels + their pixel runs + the rows it writes', () => {
    // Prepare
    const p = inputs();
    // Act
    const { partitions } = planParcelPartitions(p, { budgetBytes: 10 * 2 ** 30 });
    // Assess: one group with the union window 900 x 200
    expect(partitions).toHaveLength(1);
    expect(partitions[0].window).toEqual({ x: 0, y: 0, width: 900, height: 200 });
    const perPixel = 3 * 14 + 4;
    const loaded = 1000 * 6 + 150 * 48 + 15 * 400;
    const perParcel = 3 * 2 * (8 + 8 * 7) + 256;
    expect(partitions[0].estimatedPeakBytes).toBe(BASELINE_BYTES + 900 * 200 * perPixel + loaded + 15 * perParcel + (400 + 500) * 24 + written(15));
  });

  it('charges an input read in its file type 2 x sample bytes + 2 per pixel instead of 14', () => {
    // Prepare: no expression; one uint16 input read natively, one through the float32 copy, and the mask
    const p = inputs({ expressions: false, nativeSampleBytes: [2] });
    // Act
    const { partitions, model } = planParcelPartitions(p, { budgetBytes: 10 * 2 ** 30 });
    // Assess
    expect(model.bytesPerPixel).toBe(6 + 14 + 14);
    const loaded = 1000 * 6 + 150 * 48 + 15 * 400;
    const perParcel = 3 * 2 * (8 + 8 * 7) + 256;
    expect(partitions[0].estimatedPeakBytes).toBe(BASELINE_BYTES + 900 * 200 * 34 + loaded + 15 * perParcel + 900 * 24 + written(15));
  });

  it('splits into smaller groups when the union window does not fit, and honours minPartitions', () => {
    const tight = planParcelPartitions(inputs(), { budgetBytes: BASELINE_BYTES + (900 * 200 * 46) / 0.85 - 1 });
    expect(tight.partitions.map((q) => q.window)).toEqual([
      { x: 0, y: 0, width: 100, height: 100 }, { x: 700, y: 10, width: 200, height: 190 },
    ]);
    const min = planParcelPartitions(inputs(), { budgetBytes: 10 * 2 ** 30, minPartitions: 2 });
    expect(min.partitions).toHaveLength(2);
  });

  it('charges a file read by bounding box only for the partition\'s own parcels, whatever the file\'s size', () => {
    // Prepare: the same cells in a file of 15 parcels and in one of 15 million (same bytes per parcel)
    const small = inputs({ parcels: { count: 15, vertices: 150, fileBytes: 1000, indexed: true } });
    const national = inputs({ parcels: { count: 15e6, vertices: 150, fileBytes: 1e9, indexed: true } });
    // Act
    const [a, b] = [small, national].map((p) => planParcelPartitions(p, { budgetBytes: 10 * 2 ** 30, minPartitions: 2 }).partitions);
    // Assess: cell 0 holds 10 parcels and 100 vertices
    expect(a.map((q) => q.estimatedPeakBytes)).toEqual(b.map((q) => q.estimatedPeakBytes));
    const perPixel = 3 * 14 + 4, perParcel = 3 * 2 * (8 + 8 * 7) + 256;
    const loaded = Math.round(1.25 * (10 * ((1000 / 15) * 6 + 400) + 100 * 48));
    expect(a[0].estimatedPeakBytes).toBe(BASELINE_BYTES + 100 * 100 * perPixel + loaded + 10 * perParcel + 400 * 24 + written(10));
  });

  it('gives a partition without a window to parcels that reach no pixel', () => {
    const { partitions } = planParcelPartitions(inputs({ cells: [{ cell: 0, parcels: 3, reach: null, rows: 0, vertices: 30 }] }), { budgetBytes: 2 ** 30 });
    expect(partitions).toHaveLength(1);
    expect(partitions[0].window).toBeUndefined();
  });
});
