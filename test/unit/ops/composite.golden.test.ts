/**
 * composite against the numpy references in test/golden/composite/ (scripts/golden/composite.py): the 5-date
 * 33TWM series with the SCL mask, statistics in float32 and picking methods in the input type (uint16).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GOLDEN, mismatches, readJob, readRaster, runOp } from './compositeTestKit.ts';

const DIR = join(GOLDEN, 'composite');
const ASSETS = ['red', 'green', 'blue', 'nir'];

function jobWith(params: Record<string, unknown>) {
  const job = readJob('composite-demo.json');
  return { ...job, params: { ...job.params, ...params } };
}

describe('composite golden (float32 statistics)', () => {
  for (const method of ['median', 'mean', 'p25']) {
    it(`${method} matches numpy within float32 rounding, count exact`, async () => {
      // Prepare
      const golden = await readRaster(join(DIR, `composite-${method}.tif`));
      // Act
      const run = await runOp(jobWith({ method }));
      // Assess
      expect(run.info.dtype).toBe('float32');
      expect(run.info.descriptions).toEqual([...ASSETS, 'count']);
      expect(run.bands).toHaveLength(5);
      for (let b = 0; b < 4; b++) expect(mismatches(run.bands[b], golden.bands[b])).toBe(0);
      expect(Array.from(run.bands[4])).toEqual(Array.from(golden.bands[4]));
      expect(Number.isNaN(run.info.nodata)).toBe(true);
    });
  }

  it('median of an even count is the mean of the middle two (pixels with 2 or 4 dates exist)', async () => {
    // Prepare
    const manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8'));
    const golden = await readRaster(join(DIR, 'composite-median.tif'));
    // Act
    const run = await runOp(jobWith({ method: 'median' }));
    // Assess: some even-count pixel has a median that is no input value (x.5 from integer DNs)
    expect(manifest.even_count_pixels).toBeGreaterThan(1000);
    const halves = Array.from(run.bands[0]).filter((v, i) => run.bands[4][i] % 2 === 0 && v % 1 === 0.5).length;
    expect(halves).toBeGreaterThan(0);
    expect(mismatches(run.bands[0], golden.bands[0])).toBe(0);
  });
});

describe('composite golden (input type)', () => {
  for (const method of ['last', 'max-ndvi']) {
    it(`${method} equals numpy exactly, uint16 with nodata 0`, async () => {
      // Prepare
      const golden = await readRaster(join(DIR, `composite-${method}.tif`));
      // Act
      const run = await runOp(jobWith({ method }));
      // Assess
      expect(run.info.dtype).toBe('uint16');
      expect(run.info.nodata).toBe(0);
      for (let b = 0; b < 5; b++) expect(Array.from(run.bands[b])).toEqual(Array.from(golden.bands[b]));
    });
  }

  it('writes a true-colour quicklook when red, green and blue are composited', async () => {
    // Act
    const run = await runOp(jobWith({ method: 'median' }));
    // Assess: PNG colour type 6 (RGBA) and the STAC asset lists every band
    const png = readFileSync(join(run.dir, 'preview.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png[25]).toBe(6);
    expect(existsSync(join(run.dir, 'result.tif'))).toBe(true);
    expect((run.summary.assets.result['raster:bands'] as { name: string }[]).map((b) => b.name)).toEqual([...ASSETS, 'count']);
  });
});
