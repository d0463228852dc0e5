/**
 * The figures `eofn plan` gives for a large job: seconds from each partition's work (parcel-aggregate) at
 * the measured throughputs, GB-seconds, and wall time at a concurrency; and the plan of a real two-tile job.
 */
import { describe, expect, it } from 'vitest';
import { planJob, type JobPlan } from '../../../functions/core/engine/index.ts';
import { DECODE_PIXELS_PER_SECOND, FINALIZE_MEMORY_MB, INIT_SECONDS, INVOCATION_OVERHEAD_SECONDS, JOBS_MEMORY_MB, MERGE_ROWS_PER_SECOND, PARCEL_SECONDS, RECORD_SECONDS } from '../../../functions/core/plan/costModel.ts';
import { formatScale, scalePlan } from '../../../functions/core/plan/scalePlan.ts';
import { formatPlan } from '../../../functions/adapters/local/formatPlan.ts';
import { runParcelJob, ROOT, TWO_TILE_ITEMS } from '../ops/parcelTestKit.ts';

function parcelPlan(n: number, tiled = true): JobPlan {
  return {
    jobId: 'j', op: 'parcel-aggregate', memoryMb: 2048, mergePeakBytes: 0, model: { items: 37 },
    partitions: Array.from({ length: n }, (_, i) => ({
      id: `T${i % 3}-p${i}`, ...(tiled ? { tile: `T${i % 3}` } : {}), window: { x: 0, y: 0, width: 1000, height: 1000 }, estimatedPeakBytes: (500 + i) * 2 ** 20,
      work: { inputPixels: 1e6 * 37 * 3, parcels: 2000, records: 2000 * 37 * 3 },
    })),
  };
}

describe('scalePlan', () => {
  it('times partitions by their work (writing their own rows) and the wall by the concurrency', () => {
    // Prepare
    const plan = parcelPlan(10);
    const one = INVOCATION_OVERHEAD_SECONDS + 111e6 / DECODE_PIXELS_PER_SECOND + 2000 * PARCEL_SECONDS + 222_000 * RECORD_SECONDS + 222_000 / MERGE_ROWS_PER_SECOND;
    const merge = INVOCATION_OVERHEAD_SECONDS;
    // Act
    const wide = scalePlan(plan, { concurrency: 1000 });
    const narrow = scalePlan(plan, { concurrency: 2 });
    // Assess
    expect(wide.partitionSeconds).toBeCloseTo(10 * one, 9);
    expect(wide.mergeSeconds).toBeCloseTo(merge, 9);
    const init = INIT_SECONDS * (10 * 2 + JOBS_MEMORY_MB / 1024 + FINALIZE_MEMORY_MB / 1024); // 10 cold partitions, jobs, finalize
    expect(wide.gbSeconds).toBeCloseTo(2 * 10 * one + (FINALIZE_MEMORY_MB / 1024) * merge + init, 6);
    expect(wide.wallSeconds).toBeCloseTo(one + merge, 9);
    expect(narrow.wallSeconds).toBeCloseTo(5 * one + merge, 9);
    expect(wide.tiles).toEqual(['T0', 'T1', 'T2']);
    expect(wide.peakMb).toEqual({ max: 509, median: 505 });
    expect(formatScale(wide)).toMatch(/^scale: 3 tiles \(T0 T1 T2\), 10 partitions; est\. peak per partition: median 505 MB, max 509 MB\nwork: .* GB-s ≈ \$\d+\.\d\d compute .*\nwall time at concurrency 1000: ≈ /);
  });

  it('charges a single-tile job\'s rows to its partitions too: its finalize writes none, whatever the table\'s size', () => {
    const huge = scalePlan(parcelPlan(400, false));
    const tiled = scalePlan(parcelPlan(400, true));
    expect(huge.mergeSeconds).toBeCloseTo(INVOCATION_OVERHEAD_SECONDS, 9);
    expect(huge.partitionSeconds).toBeCloseTo(tiled.partitionSeconds, 9);
    expect(formatScale(huge)).not.toMatch(/warning: the finalize/);
  });

  it('comes with the refusal of a job past a partition or cost ceiling, before anything runs', async () => {
    const { prepared } = await runParcelJob({ parcels: `${ROOT}/sample-data/parcels/si-eurocrops-2021.fgb`, idProperty: 'ID', assets: ['red'] }, TWO_TILE_ITEMS);
    expect(() => planJob(prepared, { limits: { maxPartitions: 1 } }))
      .toThrow(/the plan needs 2 partitions, more than the limit of 1; split the job or raise EOFN_MAX_PARTITIONS\nscale: 2 tiles \(33TWL 33TWM\), 2 partitions.*\nwork: .*\nwall time/);
    expect(() => planJob(prepared, { limits: { maxCostUsd: 1e-9 } })).toThrow(/more than the limit of USD 1e-9.*\nscale: 2 tiles/s);
  });

  it('is printed by eofn plan for a job over two tiles', async () => {
    const { plan } = await runParcelJob({ parcels: `${ROOT}/sample-data/parcels/si-eurocrops-2021.fgb`, idProperty: 'ID', assets: ['red'] }, TWO_TILE_ITEMS);
    const text = formatPlan(plan, undefined, { concurrency: 10 });
    expect(text).toMatch(/\nscale: 2 tiles \(33TWL 33TWM\), 2 partitions; est\. peak per partition: median \d+ MB, max \d+ MB\n/);
    expect(text).toMatch(/wall time at concurrency 10: ≈ \d+ s/);
    expect(plan.partitions.every((p) => p.work && p.work.records! > 0)).toBe(true);
  });
});
