/**
 * The partition kernel (`BandParcelStats`: one gather per parcel, counting-sort percentiles for integer bands,
 * pairwise std) against `statsOf` on each parcel's values gathered the plain way; and native-type reads
 * against readOnGrid's float32 reads on the Slovenian fixture (same table, with the SCL mask).
 */
import { describe, expect, it } from 'vitest';
import { BandParcelStats, parcelResults, type BandLayer, type ParcelRuns } from '../../../functions/core/ops/parcel-aggregate/bandParcelStats.ts';
import { statColumns, statsOf } from '../../../functions/core/ops/parcel-aggregate/parcelStats.ts';
import { RingRasterizer, RunList } from '../../../functions/core/vector/rasterizeRings.ts';
import { runParcelJob, SCL_MASK, SI_ITEMS, ROOT } from './parcelTestKit.ts';

const COLUMNS = statColumns(['count', 'mean', 'std', 'min', 'max', 'sum', 'p1', 'p25', 'median', 'p75', 'p99']);

function randomSource(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
}

/** Random quadrilaterals (some overlapping, some small, one partly outside the window) as flat runs. */
function randomParcels(rand: () => number, count: number, width: number, height: number): ParcelRuns {
  const rasterizer = new RingRasterizer();
  const list = new RunList();
  const start = new Int32Array(count + 1);
  let maxPixels = 0;
  for (let p = 0; p < count; p++) {
    const cx = rand() * width, cy = rand() * height, r = 0.3 + rand() * 12;
    const ring = Float64Array.of(cx - r, cy - r * rand(), cx + r * rand(), cy - r, cx + r, cy + r, cx - r * rand(), cy + r, cx - r, cy - r * rand());
    ring[8] = ring[0];
    ring[9] = ring[1];
    maxPixels = Math.max(maxPixels, rasterizer.rasterize([ring], width, height, 'centroid', list));
    start[p + 1] = list.length;
  }
  return { runs: list.data, start, parcels: count, maxPixels };
}

/** statsOf over parcel p's valid values in row-major order: the definition the kernel must meet. */
function expected(layer: BandLayer, width: number, runs: ParcelRuns, p: number): { count: number; missing: number; stats: Float64Array } {
  const values: number[] = [];
  let missing = 0;
  for (let k = runs.start[p]; k < runs.start[p + 1]; k += 3) {
    for (let c = runs.runs[k + 1]; c < runs.runs[k + 2]; c++) {
      const i = runs.runs[k] * width + c;
      const v = layer.values[i];
      if (Number.isNaN(v) || v === layer.nodata || layer.excluded?.[i]) missing++;
      else values.push(v);
    }
  }
  const stats = new Float64Array(COLUMNS.length);
  statsOf(Float32Array.from(values), values.length, COLUMNS, stats, 0);
  return { count: values.length, missing, stats };
}

describe('BandParcelStats', () => {
  const width = 120, height = 90;
  const window = { x: 0, y: 0, width, height };
  const rand = randomSource(11);
  const runs = randomParcels(rand, 60, width, height);
  const excluded = Uint8Array.from({ length: width * height }, () => (rand() < 0.1 ? 1 : 0));
  const layers: [string, BandLayer][] = [
    // A narrow integer range: percentiles by counting.
    ['uint16, narrow range, nodata 0, mask', { values: Uint16Array.from({ length: width * height }, () => (rand() < 0.05 ? 0 : 900 + Math.floor(rand() * 300))), nodata: 0, excluded, integer: true }],
    // A range far wider than a parcel: percentiles by radix sort.
    ['int16, wide range', { values: Int16Array.from({ length: width * height }, () => Math.floor((rand() - 0.5) * 60000)), nodata: -32768, integer: true }],
    ['float32 with NaN', { values: Float32Array.from({ length: width * height }, () => (rand() < 0.05 ? NaN : (rand() - 0.3) * 2)), nodata: undefined, integer: false }],
  ];
  for (const [name, layer] of layers) {
    it(`equals statsOf per parcel: ${name}`, () => {
      // Prepare
      const out = parcelResults(runs.parcels, 2, COLUMNS.length);
      const kernel = new BandParcelStats(COLUMNS, runs.maxPixels);
      // Act: the second block, as for a second band
      kernel.summarise(layer, window, runs, out, 1);
      // Assess
      let withValues = 0;
      for (let p = 0; p < runs.parcels; p++) {
        const want = expected(layer, width, runs, p);
        const slot = 2 * p + 1;
        expect([out.counts[2 * slot], out.counts[2 * slot + 1]]).toEqual([want.count, want.missing]);
        const got = Array.from(out.stats.subarray(slot * COLUMNS.length, (slot + 1) * COLUMNS.length));
        COLUMNS.forEach((c, i) => {
          // std is summed pairwise (numpy's order), statsOf sequentially: equal to rounding.
          if (c === 'std') expect(got[i]).toBeCloseTo(want.stats[i], 9);
          else expect(got[i]).toBe(want.stats[i]);
        });
        if (want.count > 0) withValues++;
        expect(Array.from(out.stats.subarray(2 * p * COLUMNS.length, (2 * p + 1) * COLUMNS.length)).every(Number.isNaN)).toBe(true);
      }
      expect(withValues).toBeGreaterThan(40);
    });
  }
});

describe('native-type reads', () => {
  it('give the same table as float32 reads (an expression band forces those), SCL mask included', async () => {
    // Prepare: an expression band makes every input go through readOnGrid as float32
    const base = { parcels: `${ROOT}/sample-data/parcels/si-eurocrops-2021.fgb`, idProperty: 'ID', mask: SCL_MASK };
    // Act
    const native = await runParcelJob({ ...base, assets: ['red'] }, SI_ITEMS);
    const float = await runParcelJob({ ...base, assets: ['red'], expressions: { twice: 'red * 2' } }, SI_ITEMS);
    // Assess
    const red = float.rows.filter((r) => r.band === 'red');
    expect(native.rows.length).toBe(red.length);
    expect(native.rows).toEqual(red);
    expect(native.rows.filter((r) => (r.count as number) > 0 && (r.nodata_count as number) > 0).length).toBeGreaterThan(0);
  });
});
