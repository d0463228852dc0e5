/**
 * composite under memory pressure: a budget that forces many partitions gives the same product as one
 * partition, and the memory model's estimate stays within the budget. Plus the per-pixel kernels.
 */
import { describe, expect, it } from 'vitest';
import { compositeBytesPerPixel, type CompositeSetup } from '../../../functions/core/ops/composite/composite.ts';
import { createMaxNdviPicker, keepJointlyValid, toDtype } from '../../../functions/core/ops/composite/compositeKernels.ts';
import { BASELINE_BYTES, HEADROOM } from '../../../functions/core/plan/memoryModel.ts';
import { readJob, runOp } from './compositeTestKit.ts';

function jobWith(params: Record<string, unknown>) {
  const job = readJob('composite-demo.json');
  return { ...job, params: { ...job.params, ...params } };
}

/** A budget that holds about two 32x32 blocks of this job: the planner must split the 256x256 grid. */
function tightBudget(bytesPerPixel: number): number {
  return BASELINE_BYTES + Math.ceil((2 * 32 * 32 * bytesPerPixel) / HEADROOM);
}

describe('composite partitioning', () => {
  for (const method of ['median', 'max-ndvi', 'mean']) {
    it(`${method}: many partitions give the same bytes as one`, async () => {
      // Prepare
      const whole = await runOp(jobWith({ method }));
      const budget = tightBudget(whole.plan.model.bytesPerPixel as number);
      // Act
      const split = await runOp(jobWith({ method }), { budgetBytes: budget, blockSize: 32 });
      // Assess
      expect(whole.plan.partitions).toHaveLength(1);
      expect(split.plan.partitions.length).toBeGreaterThanOrEqual(16);
      for (const p of split.plan.partitions) expect(p.estimatedPeakBytes).toBeLessThanOrEqual(budget);
      split.bands.forEach((band, b) => expect(Buffer.from(band.buffer).equals(Buffer.from(whole.bands[b].buffer))).toBe(true));
    });
  }
});

describe('composite memory model', () => {
  const setup = (method: CompositeSetup['method'], mask = true): CompositeSetup => ({
    grid: { crs: 'EPSG:32633', width: 10980, height: 10980, originX: 0, originY: 0, resX: 10, resY: 10 },
    assets: ['red', 'green', 'blue', 'nir'], method, reads: ['red', 'green', 'blue', 'nir'],
    mask: mask ? { asset: 'scl', exclude: [3] } : undefined, ndvi: method === 'max-ndvi' ? { red: 'red', nir: 'nir' } : undefined,
    dtype: method === 'max-ndvi' ? 'uint16' : 'float32', nodata: 0, items: [], blockSize: 512,
  } as unknown as CompositeSetup);
  const withItems = (s: CompositeSetup, n: number) => ({ ...s, items: Array.from({ length: n }, (_, i) => ({ id: `i${i}`, index: i, datetime: null, assets: {} })) });

  it('order statistics hold the stack: assets x dates x 4 bytes per pixel', () => {
    // Act
    const five = compositeBytesPerPixel(withItems(setup('median'), 5));
    const twelve = compositeBytesPerPixel(withItems(setup('median'), 12));
    // Assess
    expect(twelve - five).toBe(4 * 7 * 4);
  });

  it('streaming statistics do not grow with the number of dates', () => {
    expect(compositeBytesPerPixel(withItems(setup('mean'), 50))).toBe(compositeBytesPerPixel(withItems(setup('mean'), 5)));
    expect(compositeBytesPerPixel(withItems(setup('max-ndvi'), 50))).toBe(compositeBytesPerPixel(withItems(setup('max-ndvi'), 5)));
  });

  it('a 12-date median of a full tile at 1769 MB splits into partitions each within the budget', async () => {
    // Prepare
    const { composite } = await import('../../../functions/core/ops/composite/composite.ts');
    const s = withItems(setup('median'), 12);
    const budget = 1769 * 2 ** 20;
    // Act
    const plan = composite.plan(s, { budgetBytes: budget });
    // Assess
    expect(plan.partitions.length).toBeGreaterThan(1);
    for (const p of plan.partitions) expect(p.estimatedPeakBytes).toBeLessThanOrEqual(budget);
    expect(plan.model.formula).toMatch(/reducer/);
  });
});

describe('composite kernels', () => {
  it('one date is one observation: a NaN in any asset hides all of them and is not counted', () => {
    // Prepare
    const a = Float32Array.of(1, NaN, 3), b = Float32Array.of(4, 5, NaN), count = new Float32Array(3);
    // Act
    keepJointlyValid([a, b], count);
    // Assess
    expect(Array.from(a)).toEqual([1, NaN, NaN]);
    expect(Array.from(b)).toEqual([4, NaN, NaN]);
    expect(Array.from(count)).toEqual([1, 0, 0]);
  });

  it('max-ndvi keeps the earliest date on ties and ranks 0/0 below any finite NDVI', () => {
    // Prepare: pixel 0 ties (NDVI 0.5 twice), pixel 1: 0/0 then -0.9, pixel 2: only 0/0
    const picker = createMaxNdviPicker(3, 1);
    const dates = [
      { red: [1, 0, 0], nir: [3, 0, 0], tag: [10, 10, 10] },
      { red: [2, 19, NaN], nir: [6, 1, NaN], tag: [20, 20, 20] },
    ];
    // Act
    for (const d of dates) picker.add([Float32Array.from(d.tag)], Float32Array.from(d.red), Float32Array.from(d.nir));
    // Assess
    expect(Array.from(picker.result()[0])).toEqual([10, 20, 10]);
  });

  it('casts to integer types rounding half to even, clipping, NaN to nodata', () => {
    expect(Array.from(toDtype(Float32Array.of(0.5, 1.5, 2.5, -3, 70000, NaN), 'uint16', 0))).toEqual([0, 2, 2, 0, 65535, 0]);
    const f = Float32Array.of(1.25);
    expect(toDtype(f, 'float32', NaN)).toBe(f);
  });
});
