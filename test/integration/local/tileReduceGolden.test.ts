/**
 * tile-reduce against references made by numpy + rasterio (test/golden/tile-reduce, scripts/make-golden.sh):
 * NDVI with the SCL mask (SCL at 240 m resampled onto the 120 m grid), for every reducer.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJobLocally } from '../../../functions/adapters/local/runJobLocally.ts';
import { registerLocalStorages } from '../../../functions/adapters/local/registerLocalStorages.ts';
import { hasGdal, validateCog } from '../../helpers/gdal.ts';
import { stacFileProblems } from '../../helpers/stacValidator.ts';
import { compareRasters, ndviJob, readTiffBand, SAMPLE_ITEM_IDS, sampleItemPath, tempOutput } from '../../helpers/sampleJobs.ts';

registerLocalStorages();
const GOLDEN = resolve('test/golden/tile-reduce');

// float32 rounding of float64 reference values; percentiles and std go through a float32 stack.
const TOLERANCE = 2e-6;

async function runAndCompare(name: string, job: Record<string, unknown>, golden: string) {
  // Prepare
  const output = await tempOutput(name);
  // Act
  const { record } = await runJobLocally({ job: { raw: job }, output, workers: 2, quiet: true });
  // Assess
  expect(record.status).toBe('SUCCEEDED');
  const actual = await readTiffBand(join(output, 'result.tif'));
  const expected = await readTiffBand(join(GOLDEN, golden));
  expect([actual.width, actual.height]).toEqual([expected.width, expected.height]);
  const cmp = compareRasters(actual.data, expected.data);
  expect(cmp.nanMismatch).toBe(0);
  expect(cmp.valid).toBeGreaterThan(1000);
  expect(cmp.maxRelDiff).toBeLessThanOrEqual(TOLERANCE);
  return output;
}

describe('tile-reduce matches numpy/rasterio on real Sentinel-2 data', () => {
  it.each(['mean', 'median', 'min', 'max', 'sum', 'count', 'std', 'first', 'last', 'p10', 'p25', 'p50', 'p75', 'p90'])(
    'NDVI %s with the SCL mask', async (reducer) => {
      await runAndCompare(reducer, ndviJob({ reducer }), `ndvi-${reducer}.tif`);
    });

  it('without the mask, clouds count (and the result differs from the masked one)', async () => {
    const job = ndviJob({ reducer: 'mean' });
    delete (job.params as Record<string, unknown>).mask;
    await runAndCompare('nomask', job, 'ndvi-nomask-mean.tif');
  });

  it('one cloudy item alone', async () => {
    await runAndCompare('single', ndviJob({ reducer: 'first' }, [sampleItemPath(SAMPLE_ITEM_IDS[0])]), 'ndvi-single-first.tif');
  });

  it('orders items by datetime whatever the job order', async () => {
    const shuffled = [...SAMPLE_ITEM_IDS].reverse().map(sampleItemPath);
    await runAndCompare('order', ndviJob({ reducer: 'first' }, shuffled), 'ndvi-first.tif');
  });

  it('writes a COG that GDAL validates, a STAC item linked to its inputs, a PNG and a job record', async () => {
    const output = await runAndCompare('cog', ndviJob({ reducer: 'median' }), 'ndvi-median.tif');
    const item = JSON.parse(await readFile(join(output, 'item.json'), 'utf8'));
    expect(item.properties['proj:code']).toBe('EPSG:32633');
    expect(item.properties.start_datetime).toMatch(/^2023-08-10T/);
    expect(item.properties.end_datetime).toMatch(/^2023-08-20T/);
    expect(item.links.filter((l: { rel: string }) => l.rel === 'derived_from')).toHaveLength(5);
    expect(item.assets.result.href).toBe('./result.tif');
    expect(await stacFileProblems(join(output, 'item.json'))).toEqual([]);
    expect(item.bbox[0]).toBeGreaterThan(15.1);
    expect(item.bbox[2]).toBeLessThan(15.6);
    const png = await readFile(join(output, 'preview.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const record = JSON.parse(await readFile(join(output, 'job.json'), 'utf8'));
    expect(record.status).toBe('SUCCEEDED');
    expect((await readdir(output)).sort()).toEqual(['item.json', 'job.json', 'preview.png', 'result.tif']);
    if (hasGdal()) expect(validateCog(join(output, 'result.tif'))).toEqual({ errors: [], warnings: [] });
  });

  it('gives the same bytes whatever --memory makes the planner do', async () => {
    const job = ndviJob({ reducer: 'p75' });
    const one = await tempOutput('mem-one');
    const many = await tempOutput('mem-many');
    const a = await runJobLocally({ job: { raw: job }, output: one, workers: 1, memoryMb: 4096, quiet: true });
    const b = await runJobLocally({ job: { raw: job }, output: many, workers: 2, memoryMb: 161, quiet: true });
    expect(a.plan.partitions).toHaveLength(1);
    expect(b.plan.partitions.length).toBeGreaterThan(4);
    expect(Buffer.compare(await readFile(join(one, 'result.tif')), await readFile(join(many, 'result.tif')))).toBe(0);
  });
});
