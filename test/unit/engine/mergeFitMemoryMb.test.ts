/**
 * What `eofn plan` says when the merge needs more than --memory: what the merge holds (the product at the
 * parts' coarsest COG level) and the smallest --memory whose own plan's merge fits. The job is the NDVI
 * sample's, on the grid of a whole Sentinel-2 tile (10980² px at 10 m): planning is arithmetic on the grid.
 */
import { describe, expect, it } from 'vitest';
import { mergeFitMemoryMb, planJob, prepareJob, readJobFile, type PreparedJob } from '../../../functions/core/engine/index.ts';
import { registerCoreStorages } from '../../../functions/core/io/registerCoreStorages.ts';
import { mb } from '../../../functions/core/plan/memoryModel.ts';
import { formatPlan } from '../../../functions/adapters/local/formatPlan.ts';
import { ROOT } from '../ops/parcelTestKit.ts';

async function wholeTileNdvi(): Promise<PreparedJob> {
  registerCoreStorages();
  const { raw, base } = await readJobFile(`${ROOT}/sample-data/jobs/ndvi-demo.json`);
  const prepared = await prepareJob(raw, base);
  const setup = prepared.setup as { grid: Record<string, number> };
  return { ...prepared, setup: { ...setup, grid: { ...setup.grid, width: 10980, height: 10980, resX: 10, resY: 10 } } };
}

const needMb = (prepared: PreparedJob, memoryMb: number) => mb(planJob(prepared, { memoryMb, minPartitions: 2 }).mergePeakBytes);

describe('mergeFitMemoryMb', () => {
  it('finds the smallest --memory whose plan compresses enough levels for the merge to fit, far below the need at the budget asked', async () => {
    // Prepare
    const prepared = await wholeTileNdvi();
    const plan = planJob(prepared, { memoryMb: 200, minPartitions: 2 });
    // Act
    const fit = mergeFitMemoryMb(prepared, { memoryMb: 200, minPartitions: 2 })!;
    // Assess: at 200 MB the parts compress no overview, so the merge holds the product at full resolution
    expect(plan.model.cogLevels).toBe(0);
    expect(mb(plan.mergePeakBytes)).toBeGreaterThan(900);
    expect(needMb(prepared, fit)).toBeLessThanOrEqual(fit);
    expect(needMb(prepared, fit - 1)).toBeGreaterThan(fit - 1);
    expect(fit).toBeLessThan(mb(plan.mergePeakBytes) / 2);
    expect(planJob(prepared, { memoryMb: fit, minPartitions: 2 }).model.cogLevels).toBeGreaterThanOrEqual(1);
    expect(formatPlan(plan, 2, { mergeFitMb: fit })).toContain(
      `warning: the merge needs about ${mb(plan.mergePeakBytes)} MB, more than --memory 200 MB. It holds the product at full resolution (the parts compress no overview level). --memory ${fit} is enough.\n`,
    );
  });

  it('is the budget asked when the merge already fits it, and names the level the merge holds', async () => {
    const prepared = await wholeTileNdvi();
    const plan = planJob(prepared, { memoryMb: 1769, minPartitions: 2 });
    expect(mergeFitMemoryMb(prepared, { memoryMb: 1769, minPartitions: 2 })).toBe(1769);
    expect(plan.mergeHolds).toBe(`the product at overview level ${plan.model.cogLevels}, 1/${4 ** Number(plan.model.cogLevels)} of its pixels (the parts' coarsest level)`);
    expect(formatPlan(plan, 2)).not.toContain('warning');
  });
});
