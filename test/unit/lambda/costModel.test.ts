import { describe, expect, it } from 'vitest';
import { FINALIZE_MEMORY_MB } from '../../../functions/core/plan/opMemory.ts';
import { estimateCost, formatCost, INIT_SECONDS, INVOCATION_OVERHEAD_SECONDS, JOBS_MEMORY_MB, LAMBDA_PRICES, MERGE_PIXELS_PER_SECOND, REQUEST_PRICES, THROUGHPUT } from '../../../functions/core/plan/costModel.ts';
import type { JobPlan } from '../../../functions/core/engine/index.ts';

function plan(memoryMb: number, n: number): JobPlan {
  return {
    jobId: 'j', op: 'tile-reduce', memoryMb, mergePeakBytes: 0, model: { items: 5 },
    partitions: Array.from({ length: n }, (_, i) => ({ id: `p${i}`, window: { x: 0, y: i * 100, width: 1000, height: 100 }, estimatedPeakBytes: 1 })),
  };
}

describe('estimateCost', () => {
  it('sums memory × seconds over partitions and the merge', () => {
    // Prepare
    const p = plan(2048, 4);
    const perPartition = INVOCATION_OVERHEAD_SECONDS + (1000 * 100 * 5) / THROUGHPUT['tile-reduce'];
    const merge = INVOCATION_OVERHEAD_SECONDS + 400_000 / MERGE_PIXELS_PER_SECOND;
    // Act
    const c = estimateCost(p);
    // Assess
    const init = INIT_SECONDS * (4 * 2 + JOBS_MEMORY_MB / 1024 + FINALIZE_MEMORY_MB / 1024);
    expect(c.gbSeconds).toBeCloseTo(2 * 4 * perPartition + (FINALIZE_MEMORY_MB / 1024) * merge + init, 9);
    expect(c.computeUsd).toBeCloseTo(c.gbSeconds * LAMBDA_PRICES.arm64, 12);
    expect(c.totalUsd).toBeCloseTo(c.computeUsd + c.requestsUsd, 12);
    expect(c.requestsUsd).toBeGreaterThan(0);
  });

  it('costs more on x86 and with more memory for the same work', () => {
    const base = estimateCost(plan(1024, 4));
    expect(estimateCost(plan(1024, 4), { architecture: 'x86_64' }).computeUsd).toBeGreaterThan(base.computeUsd);
    expect(estimateCost(plan(2048, 4)).gbSeconds).toBeGreaterThan(base.gbSeconds);
    expect(formatCost(base)).toMatch(/^estimated AWS Lambda cost \(arm64, list prices for region eu-central-1 of 2025-08\): \d+\.\d GB-s incl\. \d+\.\d s INIT ≈ \$/);
  });

  it('bills INIT once per execution environment, and prices DynamoDB writes at the Nov 2024 on-demand price', () => {
    // Act
    const allCold = estimateCost(plan(1024, 40));
    const tenWarm = estimateCost(plan(1024, 40), { concurrency: 10 });
    // Assess
    expect(allCold.initSeconds).toBeCloseTo(INIT_SECONDS * 42, 9);
    expect(allCold.gbSeconds - tenWarm.gbSeconds).toBeCloseTo(30 * INIT_SECONDS, 9);
    expect(REQUEST_PRICES.dynamoWrite * 1e6).toBe(0.7625);
    expect(allCold.region).toBe('eu-central-1');
  });
});
