import { describe, expect, it } from 'vitest';
import { planWindows } from '../../../functions/core/plan/planWindows.ts';
import { BASELINE_BYTES, maxPixels } from '../../../functions/core/plan/memoryModel.ts';
import type { Grid } from '../../../functions/core/raster/types.ts';

const tile: Grid = { crs: 'EPSG:32633', width: 10980, height: 10980, originX: 499980, originY: 5100000, resX: 10, resY: 10 };
const MB = 2 ** 20;

function covers(grid: Grid, windows: { x: number; y: number; width: number; height: number }[]): boolean {
  const seen = new Uint8Array(grid.width * grid.height);
  for (const w of windows) for (let y = w.y; y < w.y + w.height; y++) for (let x = w.x; x < w.x + w.width; x++) seen[y * grid.width + x]++;
  return seen.every((v) => v === 1);
}

describe('planWindows', () => {
  it('keeps every partition within the budget and covers the grid exactly once', () => {
    for (const memory of [256, 512, 1024, 1769, 4096]) {
      const parts = planWindows(tile, { bytesPerPixel: 57, budgetBytes: memory * MB, blockSize: 512 });
      expect(parts.every((p) => p.estimatedPeakBytes <= memory * MB)).toBe(true);
      expect(covers(tile, parts.map((p) => p.window!))).toBe(true);
    }
  });

  it('splits more when there is less memory, and aligns windows to blocks', () => {
    const big = planWindows(tile, { bytesPerPixel: 57, budgetBytes: 4096 * MB, blockSize: 512 });
    const small = planWindows(tile, { bytesPerPixel: 57, budgetBytes: 512 * MB, blockSize: 512 });
    expect(small.length).toBeGreaterThan(big.length);
    for (const p of small) {
      expect(p.window!.x % 512).toBe(0);
      expect(p.window!.y % 512).toBe(0);
    }
  });

  it('splits block rows into runs when one row of blocks does not fit', () => {
    const parts = planWindows(tile, { bytesPerPixel: 400, budgetBytes: 512 * MB, blockSize: 512 });
    expect(parts[0].window!.width).toBeLessThan(tile.width);
    expect(parts.every((p) => p.estimatedPeakBytes <= 512 * MB)).toBe(true);
    expect(covers(tile, parts.map((p) => p.window!))).toBe(true);
  });

  it('splits at least into minPartitions even when memory would allow one', () => {
    const grid: Grid = { ...tile, width: 256, height: 256 };
    const parts = planWindows(grid, { bytesPerPixel: 57, budgetBytes: 4096 * MB, blockSize: 64, minPartitions: 4 });
    expect(parts.length).toBeGreaterThanOrEqual(4);
    expect(covers(grid, parts.map((p) => p.window!))).toBe(true);
  });

  it('gives the same ids for the same plan (deterministic part keys)', () => {
    const a = planWindows(tile, { bytesPerPixel: 57, budgetBytes: 1024 * MB, blockSize: 512 }).map((p) => p.id);
    const b = planWindows(tile, { bytesPerPixel: 57, budgetBytes: 1024 * MB, blockSize: 512 }).map((p) => p.id);
    expect(a).toEqual(b);
    expect(new Set(a).size).toBe(a.length);
    expect(a[0]).toMatch(/^r00000-c00000-10980x\d+$/);
  });

  it('says how much memory one block needs when the budget is too small, and that much is enough', () => {
    // Prepare: 2000 bytes/pixel x 512² = 500 MB of pixels, over 85 % headroom, plus the 160 MB runtime
    const need = Math.ceil((BASELINE_BYTES + (512 * 512 * 2000) / 0.85) / MB);
    // Act / Assess
    expect(() => planWindows(tile, { bytesPerPixel: 2000, budgetBytes: 300 * MB, blockSize: 512 }))
      .toThrow(`memory: 300 MB cannot hold the smallest partition of this job, one 512x512 block (${need} MB needed: 160 MB runtime + 2000 bytes/pixel with 15 % headroom)`);
    expect(() => planWindows(tile, { bytesPerPixel: 2000, budgetBytes: (need - 1) * MB, blockSize: 512 })).toThrow(/cannot hold/);
    expect(planWindows(tile, { bytesPerPixel: 2000, budgetBytes: need * MB, blockSize: 512 }).length).toBeGreaterThan(1);
    const small: Grid = { ...tile, width: 300, height: 200 };
    expect(() => planWindows(small, { bytesPerPixel: 84.08925395372825, budgetBytes: 161 * MB, blockSize: 512 }))
      .toThrow(/one 300x200 block \(\d+ MB needed: 160 MB runtime \+ 84\.09 bytes\/pixel/);
  });

  it('has a memory model whose pixel limit leaves the baseline free', () => {
    expect(maxPixels(BASELINE_BYTES + 100 * MB, 100)).toBe(Math.floor((100 * MB * 0.85) / 100));
  });
});
