/**
 * coherence-merge and raster/warp against test/golden/coherence-merge/ (scripts/golden/coherence.py): the 30
 * sample coherence rasters merged on their own EPSG:4326 grid (numpy), and warped to UTM 14N at 150 m
 * (gdalwarp -r near|bilinear, default approximate transformer), raster by raster and merged.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gridFromSpec } from '../../../functions/core/geo/gridOps.ts';
import { openRaster } from '../../../functions/core/raster/read/openRaster.ts';
import { warpOnGrid } from '../../../functions/core/raster/warp/warp.ts';
import { GOLDEN, mismatches, readJob, readRaster, runOp, SAMPLE_JOBS } from './compositeTestKit.ts';

const DIR = join(GOLDEN, 'coherence-merge');
const manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8'));

function jobWith(params: Record<string, unknown>) {
  const job = readJob('coherence-demo.json');
  return { ...job, params: { ...job.params, ...params } };
}

/** Fraction of pixels that are bit-identical (NaN = NaN). */
function identical(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i] || (a[i] !== a[i] && b[i] !== b[i])) same++;
  return same / a.length;
}

describe('coherence-merge on the first input grid (EPSG:4326, no warp)', () => {
  for (const method of ['mean', 'median']) {
    it(`${method} of 30 rasters matches numpy within float32 rounding; nodata 0 never counts`, async () => {
      // Prepare
      const golden = await readRaster(join(DIR, `native-${method}.tif`));
      const job = readJob('coherence-demo.json');
      // Act
      const run = await runOp({ ...job, params: { method } });
      // Assess
      expect(run.info.grid.crs).toBe('EPSG:4326');
      expect([run.info.grid.width, run.info.grid.height]).toEqual([100, 60]);
      expect(run.info.descriptions).toEqual([`${method}(data)`, 'count']);
      expect(mismatches(run.bands[0], golden.bands[0])).toBe(0);
      expect(Array.from(run.bands[1])).toEqual(Array.from(golden.bands[1]));
      expect(Math.min(...run.bands[1])).toBeLessThan(30); // some pixels have nodata (0) in some pairs
    });
  }
});

describe('warp to UTM 14N at 150 m against gdalwarp', () => {
  for (const [resampling, stack] of [['nearest', 'warp-near-stack.tif'], ['bilinear', 'warp-bilinear-stack.tif']] as const) {
    it(`${resampling}: every one of the 30 rasters is bit-identical to gdalwarp`, async () => {
      // Prepare
      const golden = await readRaster(join(DIR, stack));
      const grid = gridFromSpec(manifest.grid);
      const window = { x: 0, y: 0, width: grid.width, height: grid.height };
      const fractions: number[] = [];
      // Act
      for (const [k, id] of (manifest.items_in_order as string[]).entries()) {
        const raster = await openRaster(join(SAMPLE_JOBS, '../s1-coherence-cdmx', `${id}.tif`));
        fractions.push(identical(await warpOnGrid(raster, grid, window, { resampling }), golden.bands[k]));
      }
      // Assess: the brief allowed >= 99.5 %; mimicking GDAL's approximate transformer row by row gives 100 %
      expect(Math.min(...fractions)).toBeGreaterThanOrEqual(0.995);
      expect(fractions.every((f) => f === 1)).toBe(true);
    });
  }

  it('an exact transform (maxError 0) differs from default gdalwarp at a few pixels only', async () => {
    // Prepare
    const golden = await readRaster(join(DIR, 'warp-near-stack.tif'));
    const grid = gridFromSpec(manifest.grid);
    const raster = await openRaster(join(SAMPLE_JOBS, '../s1-coherence-cdmx', `${manifest.items_in_order[0]}.tif`));
    // Act
    const exact = await warpOnGrid(raster, grid, { x: 0, y: 0, width: grid.width, height: grid.height }, { maxError: 0 });
    // Assess: GDAL's 0.125 px approximation moves some centres across pixel edges
    const f = identical(exact, golden.bands[0]);
    expect(f).toBeGreaterThan(0.99);
    expect(f).toBeLessThan(1);
  });

  for (const [resampling, name] of [['nearest', 'near'], ['bilinear', 'bilinear']] as const) {
    for (const method of ['mean', 'median']) {
      it(`${method} merge with ${resampling} matches numpy over the gdalwarp outputs`, async () => {
        // Prepare
        const golden = await readRaster(join(DIR, `utm-${name}-${method}.tif`));
        // Act
        const run = await runOp(jobWith({ method, resampling }));
        // Assess
        expect(run.info.grid.crs).toBe('EPSG:32614');
        expect(mismatches(run.bands[0], golden.bands[0])).toBe(0);
        expect(Array.from(run.bands[1])).toEqual(Array.from(golden.bands[1]));
        expect(run.summary.properties?.['eofn:skipped']).toEqual([]);
      });
    }
  }
});
