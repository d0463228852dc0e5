/**
 * A tile-reduce job whose items lie on two overlapping tiles (33TWM and 33TWL, grids 40 m apart): one COG
 * per tile on that tile's own grid, equal to numpy + rasterio (scripts/golden/two_tiles.py), a STAC
 * collection of per-tile items, and a VRT mosaic that GDAL reads like a `gdalbuildvrt` of the references;
 * composite over the same items gives each tile the very COG a job of that tile alone gives.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJobLocally } from '../../../functions/adapters/local/runJobLocally.ts';
import { registerLocalStorages } from '../../../functions/adapters/local/registerLocalStorages.ts';
import { formatRunSummary } from '../../../functions/adapters/local/formatRunSummary.ts';
import { hasGdal, validateCog } from '../../helpers/gdal.ts';
import { compareRasters, readTiffBand, SCL_MASK, tempOutput } from '../../helpers/sampleJobs.ts';
import { TWO_TILE_ITEMS } from '../../unit/ops/parcelTestKit.ts';

registerLocalStorages();
const GOLDEN = resolve('test/golden/two-tiles');
const TILES = ['33TWL', '33TWM'];

describe('tile-reduce over two tiles', () => {
  it('writes one COG per tile on its own grid, a collection and a mosaic', async () => {
    // Prepare
    const output = await tempOutput('two-tiles');
    const job = { op: 'tile-reduce', items: TWO_TILE_ITEMS, params: { expression: '(nir - red) / (nir + red)', reducer: 'mean', mask: SCL_MASK }, output };
    // Act
    const result = await runJobLocally({ job: { raw: job }, output, workers: 2, quiet: true });
    const { record } = result;
    // Assess
    expect(record.status).toBe('SUCCEEDED');
    expect(new Set(record.partitions.map((p) => p.id.slice(0, 5)))).toEqual(new Set(TILES));
    for (const tile of TILES) {
      const actual = await readTiffBand(join(output, 'tiles', tile, 'result.tif'));
      const expected = await readTiffBand(join(GOLDEN, `ndvi-mean-${tile}.tif`));
      expect([actual.width, actual.height]).toEqual([expected.width, expected.height]);
      const cmp = compareRasters(actual.data, expected.data);
      expect(cmp.nanMismatch).toBe(0);
      expect(cmp.valid).toBeGreaterThan(1000);
      expect(cmp.maxRelDiff).toBeLessThanOrEqual(2e-6);
      const tileItem = JSON.parse(await readFile(join(output, 'tiles', tile, 'item.json'), 'utf8'));
      expect(tileItem.properties['eofn:tile']).toBe(tile);
      expect(tileItem.properties['proj:code']).toBe('EPSG:32633');
      expect(tileItem.links.filter((l: { rel: string }) => l.rel === 'derived_from').map((l: { title: string }) => l.title.split('_')[1])).toEqual([tile, tile, tile]);
      if (hasGdal()) expect(validateCog(join(output, 'tiles', tile, 'result.tif')).errors).toEqual([]);
    }
    const item = JSON.parse(await readFile(join(output, 'item.json'), 'utf8'));
    expect(item.assets.mosaic.href).toBe('./mosaic.vrt');
    expect(formatRunSummary(result)).toMatch(/product {3}.*\/mosaic\.vrt\n {2}tiles {5}2 \(33TWL 33TWM\) under .*\/tiles\/, linked by .*\/collection\.json\n/);
    expect(item.properties['eofn:tiles'].map((t: { tile: string }) => t.tile)).toEqual(TILES);
    if (hasGdal()) expectMosaicLikeGdalbuildvrt(join(output, 'mosaic.vrt'));
  });
});

/** GDAL reads our VRT as it reads `gdalbuildvrt` of the two reference tiles (later tile on top, NaN see-through). */
function expectMosaicLikeGdalbuildvrt(vrt: string): void {
  const script = [
    'import sys, numpy as np',
    'from osgeo import gdal',
    'gdal.UseExceptions()',
    'ours = gdal.Open(sys.argv[1])',
    'ref = gdal.BuildVRT("", sys.argv[2:], srcNodata="nan", VRTNodata="nan", resolution="highest")',
    'assert ours.GetGeoTransform() == ref.GetGeoTransform(), (ours.GetGeoTransform(), ref.GetGeoTransform())',
    'a, b = ours.ReadAsArray(), ref.ReadAsArray()',
    'assert a.shape == b.shape, (a.shape, b.shape)',
    'same = (np.abs(a - b) <= 2e-6 * np.maximum(1, np.abs(b))) | (np.isnan(a) & np.isnan(b))',  // float32 rounding, as above
    'print(int((~same).sum()), int((~np.isnan(a)).sum()))',
  ].join('\n');
  const out = execFileSync('/usr/bin/python3', ['-c', script, vrt, ...TILES.map((t) => join(GOLDEN, `ndvi-mean-${t}.tif`))], { encoding: 'utf8' });
  const [differ, valid] = out.trim().split(' ').map(Number);
  expect(differ).toBe(0);
  expect(valid).toBeGreaterThan(5000);
}

describe('composite over two tiles', () => {
  it('gives each tile the same COG as a job of that tile alone', async () => {
    // Prepare
    const params = { assets: ['red', 'nir'], method: 'median', mask: SCL_MASK };
    const both = await tempOutput('two-tiles-composite');
    // Act
    const all = await runJobLocally({ job: { raw: { op: 'composite', items: TWO_TILE_ITEMS, params, output: both } }, output: both, workers: 2, quiet: true });
    // Assess
    expect(all.record.status).toBe('SUCCEEDED');
    for (const tile of TILES) {
      const alone = await tempOutput(`composite-${tile}`);
      const items = TWO_TILE_ITEMS.filter((i) => i.includes(`_${tile}_`));
      const one = await runJobLocally({ job: { raw: { op: 'composite', items, params, output: alone } }, output: alone, workers: 2, quiet: true });
      expect(one.record.status).toBe('SUCCEEDED');
      expect(Buffer.compare(await readFile(join(both, 'tiles', tile, 'result.tif')), await readFile(join(alone, 'result.tif')))).toBe(0);
    }
  });
});
