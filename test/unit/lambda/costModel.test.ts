import { describe, expect, it } from 'vitest';
import { estimateCost, formatCost, FINALIZE_MEMORY_MB, INVOCATION_OVERHEAD_SECONDS, LAMBDA_PRICES, MERGE_PIXELS_PER_SECOND, THROUGHPUT } from '../../../functions/core/plan/costModel.ts';
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
    expect(c.gbSeconds).toBeCloseTo(2 * 4 * perPartition + (FINALIZE_MEMORY_MB / 1024) * merge, 9);
    expect(c.computeUsd).toBeCloseTo(c.gbSeconds * LAMBDA_PRICES.arm64, 12);
    expect(c.totalUsd).toBeCloseTo(c.computeUsd + c.requestsUsd, 12);
    expect(c.requestsUsd).toBeGreaterThan(0);
  });

  it('costs more on x86 and with more memory for the same work', () => {
    const base = estimateCost(plan(1024, 4));
    expect(estimateCost(plan(1024, 4), { architecture: 'x86_64' }).computeUsd).toBeGreaterThan(base.computeUsd);
    expect(estimateCost(plan(2048, 4)).gbSeconds).toBeGreaterThan(base.gbSeconds);
    expect(formatCost(base)).toMatch(/^estimated AWS Lambda cost \(arm64, eu-central-1 prices of 2025-01\): \d+\.\d GB-s ≈ \$/);
  });
});
