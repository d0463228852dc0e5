/**
 * coherence-merge: same product whatever the partitioning, the memory model within the budget, inputs in
 * several CRSs, and bad input (an unknown CRS in the grid or in a file, inputs that miss the grid).
 */
import { mkdtempSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../functions/core/errors.ts';
import { gridFromSpec } from '../../../functions/core/geo/gridOps.ts';
import { BASELINE_BYTES, HEADROOM } from '../../../functions/core/plan/memoryModel.ts';
import type { Grid } from '../../../functions/core/raster/types.ts';
import { writeCog } from '../../../functions/core/raster/cog/writeCog.ts';
import { GOLDEN, readJob, readRaster, runOp } from './compositeTestKit.ts';

const manifest = JSON.parse(readFileSync(join(GOLDEN, 'coherence-merge', 'manifest.json'), 'utf8'));

function jobWith(params: Record<string, unknown>, items?: string[]) {
  const job = readJob('coherence-demo.json');
  return { ...job, items: items ?? job.items, params: { ...job.params, ...params } };
}

async function constantCog(grid: Grid, value: number): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), 'eofn-coh-')), 'input.tif');
  await writeCog(path, { grid, bands: [new Float32Array(grid.width * grid.height).fill(value)], dtype: 'float32', nodata: 0, metadata: { SECOND_DATE: '2018-02-01' } });
  return path;
}

const MADRID: Grid = { crs: 'EPSG:4326', width: 20, height: 20, originX: -3.8, originY: 40.5, resX: 0.001, resY: 0.001 };

describe('coherence-merge partitioning', () => {
  for (const [label, params] of [
    ['UTM bilinear median', { method: 'median', resampling: 'bilinear' }],
    ['UTM nearest last', { method: 'last' }],
    ['native mean', { method: 'mean', grid: undefined }],
  ] as const) {
    it(`${label}: many partitions give the same bytes as one, each estimate within the budget`, async () => {
      // Prepare
      const whole = await runOp(jobWith(params));
      const bpp = whole.plan.model.bytesPerPixel as number;
      const budget = BASELINE_BYTES + Math.ceil((2 * 16 * 16 * bpp) / HEADROOM);
      // Act
      const split = await runOp(jobWith(params), { budgetBytes: budget, blockSize: 16 });
      // Assess
      expect(split.plan.partitions.length).toBeGreaterThanOrEqual(12);
      for (const p of split.plan.partitions) expect(p.estimatedPeakBytes).toBeLessThanOrEqual(budget);
      split.bands.forEach((band, b) => expect(Buffer.from(band.buffer).equals(Buffer.from(whole.bands[b].buffer))).toBe(true));
    });
  }

  it('the model counts the source window: a 10 m input onto a 150 m grid costs about 225x more per pixel', async () => {
    // Prepare
    const { coherenceBytesPerPixel } = await import('../../../functions/core/ops/coherence-merge/coherenceMerge.ts');
    const base = { grid: gridFromSpec(manifest.grid), asset: 'data', method: 'mean' as const, resampling: 'nearest' as const, skipped: [], blockSize: 512 };
    const item = (ratio: number) => ({ id: 'a', index: 0, datetime: null, href: 'x', asset: { key: 'data', matchedBy: 'key' as const, scale: 1, offset: 0, source: 'none' }, sourcePixelsPerPixel: ratio, sourceBytesPerSample: 4 });
    // Act
    const coarse = coherenceBytesPerPixel({ ...base, items: [item(1)] });
    const fine = coherenceBytesPerPixel({ ...base, items: [item(225), item(1)] });
    // Assess
    expect(fine - coarse).toBe(224 * 2 * 4 * 2);
  });
});

describe('coherence-merge inputs in several CRSs', () => {
  it('an input already in UTM and one in EPSG:4326 land on the same pixels', async () => {
    // Prepare: the gdalwarp output of raster 0 written as a UTM COG, beside raster 0 itself
    const golden = await readRaster(join(GOLDEN, 'coherence-merge', 'warp-near-stack.tif'));
    const grid = gridFromSpec(manifest.grid);
    const utm = join(mkdtempSync(join(tmpdir(), 'eofn-coh-')), 'utm.tif');
    await writeCog(utm, { grid, bands: [golden.bands[0]], dtype: 'float32', nodata: NaN, metadata: { SECOND_DATE: '2018-01-30' } });
    const latlon = `../s1-coherence-cdmx/${manifest.items_in_order[0]}.tif`;
    // Act
    const run = await runOp(jobWith({ method: 'max', resampling: 'nearest' }, [latlon, utm]));
    // Assess
    const valid = Array.from(golden.bands[0]).filter((v) => v === v).length;
    expect(Array.from(run.bands[1]).filter((c) => c === 2).length).toBe(valid);
    expect(Array.from(run.bands[0])).toEqual(Array.from(golden.bands[0]));
  });
});

describe('coherence-merge bad input', () => {
  it('an unknown CRS in the grid fails before any work, naming params.grid.crs', async () => {
    // Prepare
    const job = jobWith({ grid: { crs: 'EPSG:9999', bounds: [0, 0, 1000, 1000], resolution: 10 } });
    // Act
    const run = runOp(job);
    // Assess
    await expect(run).rejects.toThrow(InputError);
    await expect(run).rejects.toThrow(/^params\.grid\.crs: .*EPSG:9999/);
  });

  it('an input whose GeoKeys name a CRS we cannot place fails, naming the item', async () => {
    // Prepare: World Mercator (EPSG:3395) is valid GeoTIFF but not in geo/crs.ts
    const path = await constantCog({ ...MADRID, crs: 'EPSG:3395', originX: -420000, originY: 4900000, resX: 100, resY: 100 }, 0.5);
    // Act
    const run = runOp(jobWith({}, [`../s1-coherence-cdmx/${manifest.items_in_order[0]}.tif`, path]));
    // Assess
    await expect(run).rejects.toThrow(/items\[1\] \(input\) asset "data".*EPSG:3395/);
  });

  it('an input that misses the grid is skipped and recorded in eofn:skipped; the product is unchanged', async () => {
    // Prepare
    const madrid = await constantCog(MADRID, 0.5);
    const job = readJob('coherence-demo.json');
    const without = await runOp(jobWith({ method: 'mean', resampling: 'nearest' }));
    // Act
    const run = await runOp(jobWith({ method: 'mean', resampling: 'nearest' }, [...job.items, madrid]));
    // Assess
    const skipped = run.summary.properties?.['eofn:skipped'] as { id: string; index: number; reason: string }[];
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({ id: 'input', index: 30 });
    expect(skipped[0].reason).toMatch(/no overlap with the output grid/);
    run.bands.forEach((band, b) => expect(Buffer.from(band.buffer).equals(Buffer.from(without.bands[b].buffer))).toBe(true));
  });

  it('when no input overlaps the grid the job fails, naming items', async () => {
    // Prepare
    const madrid = await constantCog(MADRID, 0.5);
    // Act
    const run = runOp(jobWith({}, [madrid]));
    // Assess
    await expect(run).rejects.toThrow(/^items: none of the 1 inputs overlaps the output grid/);
  });
});
