/**
 * One job with red/nir/scl on the sample scene as each archive serves it (test/fixtures/archive, made by
 * scripts/golden/archive_variants.py): Earth Search legacy (offset already removed, boa_offset_applied),
 * Earth Search C1 (+1000 in the pixels, raster:bands offset -0.1) and Copernicus Data Space (STAC 1.1, keys
 * B04_10m/B08_10m/SCL_20m, asset-level raster:scale/offset, nodata only in the item). NDVI must be the
 * sample's, composites reflectance; references from numpy + rasterio (test/golden/*).
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJobLocally } from '../../../functions/adapters/local/runJobLocally.ts';
import { registerLocalStorages } from '../../../functions/adapters/local/registerLocalStorages.ts';
import { prepareJob } from '../../../functions/core/engine/prepareJob.ts';
import { describeRadiometry } from '../../../functions/core/ops/radiometryRecord.ts';
import { openRaster } from '../../../functions/core/raster/openRaster.ts';
import { compareRasters, readTiffBand, tempOutput } from '../../helpers/sampleJobs.ts';
import { stacFileProblems } from '../../helpers/stacValidator.ts';

registerLocalStorages();
const ARCHIVE = resolve('test/fixtures/archive');
const jobPath = (name: string) => join(ARCHIVE, 'jobs', `${name}.json`);
/** The issue's bar for "the same NDVI" across sources. */
const NDVI_TOLERANCE = 1e-5;
/** Two float32 roundings (the scaled input, the result) of a value: relative. */
const FLOAT32_ROUNDING = 2 * 2 ** -23;

async function run(name: string, edit: (job: Record<string, any>) => void = () => undefined) {
  const raw = JSON.parse(await readFile(jobPath(name), 'utf8'));
  edit(raw);
  const output = await tempOutput(name);
  const result = await runJobLocally({ job: { raw, base: jobPath(name) }, output, workers: 2, quiet: true });
  expect(result.record.status).toBe('SUCCEEDED');
  expect(await stacFileProblems(join(output, 'item.json'))).toEqual([]);
  return { output, item: JSON.parse(await readFile(join(output, 'item.json'), 'utf8')) };
}

async function expectNdvi(output: string, golden: string) {
  const actual = await readTiffBand(join(output, 'result.tif'));
  const expected = await readTiffBand(resolve(golden));
  const cmp = compareRasters(actual.data, expected.data);
  expect(cmp.nanMismatch).toBe(0);
  expect(cmp.valid).toBeGreaterThan(60000);
  expect(cmp.maxRelDiff).toBeLessThanOrEqual(NDVI_TOLERANCE);
  return cmp;
}

/** Whether openRaster reads JPEG 2000 yet (it is being built on another branch): until then it says "not a TIFF". */
async function readsJp2(): Promise<boolean> {
  const jp2 = join(ARCHIVE, 'cdse', 'S2B_MSIL2A_20230813T100753_N0509_R122_T33TWM_20230813T100753', 'B04_10m.jp2');
  try {
    await (await openRaster(jp2)).close();
    return true;
  } catch (e) {
    if (/not a TIFF/.test((e as Error).message)) return false;
    throw e;
  }
}

describe('one red/nir/scl job on every archive gives the sample NDVI', () => {
  it('Earth Search legacy items (boa_offset_applied: scale only) give the sample NDVI', async () => {
    const { output, item } = await run('ndvi-legacy');
    await expectNdvi(output, 'test/golden/tile-reduce/ndvi-median.tif');
    const red = item.properties['eofn:radiometry'][0].assets.red;
    expect(red).toMatchObject({ key: 'red', scale: 0.0001, offset: 0, nodata: 0 });
    expect(red.source).toMatch(/boa_offset_applied is true/);
  });

  it('Earth Search C1 items (+1000 in the pixels, offset -0.1) give the sample NDVI', async () => {
    const { output, item } = await run('ndvi-c1');
    await expectNdvi(output, 'test/golden/tile-reduce/ndvi-median.tif');
    const record = item.properties['eofn:radiometry'];
    expect(record).toHaveLength(5);
    expect(record[0].assets.red).toMatchObject({ key: 'red', scale: 0.0001, offset: -0.1, source: 'raster:bands (STAC 1.0)' });
    expect(record[0].assets.scl).toMatchObject({ scale: 1, offset: 0, source: 'class layer: never scaled' });
  });

  it('CDSE-style STAC 1.1 items (B04_10m, SCL_20m, nodata only in the item) give the NDVI of numpy', async () => {
    const { output, item } = await run('ndvi-cdse-cog');
    await expectNdvi(output, 'test/golden/radiometry/ndvi-median-cdse.tif');
    const assets = item.properties['eofn:radiometry'][0].assets;
    expect(assets.red).toMatchObject({ key: 'B04_10m', matchedBy: 'common name', scale: 0.0001, offset: -0.1, nodata: 0 });
    expect(assets.nir.key).toBe('B08_10m');
    expect(assets.scl).toMatchObject({ key: 'SCL_20m', matchedBy: 'Sentinel-2 band', scale: 1, offset: 0 });
    expect(item.properties['proj:code']).toBe('EPSG:32633');
    // What docs/data-sources.md shows is what this run records and prints.
    const doc = await readFile('docs/data-sources.md', 'utf8');
    const documented = JSON.parse(/```json\n(\{ "eofn:radiometry"[\s\S]*?)```/.exec(doc)![1])['eofn:radiometry'][0];
    const recorded = item.properties['eofn:radiometry'].find((r: { item: string }) => r.item === documented.item);
    expect(recorded.assets).toMatchObject(documented.assets);
    for (const line of describeRadiometry(item.properties['eofn:radiometry'])) expect(doc).toContain(`values    ${line}`);
  });

  it('CDSE-style items with JPEG 2000 hrefs give the same NDVI (runs once openRaster reads JP2)', async (ctx) => {
    if (!(await readsJp2())) ctx.skip();
    const { output } = await run('ndvi-cdse-jp2');
    await expectNdvi(output, 'test/golden/radiometry/ndvi-median-cdse.tif');
  });

  it('one job may mix archives: each item resolves its own names and radiometry', async () => {
    const cdse = JSON.parse(await readFile(jobPath('ndvi-cdse-cog'), 'utf8')).items as string[];
    const c1 = JSON.parse(await readFile(jobPath('ndvi-c1'), 'utf8')).items as string[];
    // The CDSE dates 08-10 and 08-13 from CDSE, 08-15 from Earth Search C1: the CDSE NDVI all the same.
    const { output, item } = await run('ndvi-cdse-cog', (job) => { job.items = [cdse[0], cdse[1], c1.find((h) => h.includes('20230815'))]; });
    await expectNdvi(output, 'test/golden/radiometry/ndvi-median-cdse.tif');
    expect(item.properties['eofn:radiometry'].map((r: any) => r.assets.red.key)).toEqual(['B04_10m', 'B04_10m', 'red']);
  });

  it('params.radiometry "raw" keeps the digital numbers: C1 NDVI then differs (the bug this fixes)', async () => {
    const { output, item } = await run('ndvi-c1', (job) => { job.params.radiometry = 'raw'; });
    const actual = await readTiffBand(join(output, 'result.tif'));
    const sample = await readTiffBand(resolve('test/golden/tile-reduce/ndvi-median.tif'));
    expect(compareRasters(actual.data, sample.data).maxRelDiff).toBeGreaterThan(0.1);
    expect(item.properties['eofn:radiometry'][0].assets.red).toMatchObject({ scale: 1, offset: 0 });
  });
});

describe('composites over offset-carrying items come out in reflectance', () => {
  it.each([['composite-c1', 'median'], ['composite-c1-mean', 'mean']])('%s: DN_true x 0.0001 to float32 rounding, count exact', async (job, method) => {
    const { output } = await run(job);
    const golden = resolve(`test/golden/radiometry/composite-${method}-dn.tif`);
    for (const band of [0, 1]) {
      const actual = (await readTiffBand(join(output, 'result.tif'), band)).data;
      const dn = (await readTiffBand(golden, band)).data;
      let worst = 0, valid = 0;
      for (let i = 0; i < dn.length; i++) {
        expect(Number.isNaN(actual[i])).toBe(Number.isNaN(dn[i]));
        if (Number.isNaN(dn[i])) continue;
        const expected = dn[i] * 0.0001;
        worst = Math.max(worst, Math.abs(actual[i] - expected) / expected);
        valid++;
      }
      expect(valid).toBeGreaterThan(50000);
      expect(worst).toBeLessThanOrEqual(FLOAT32_ROUNDING);
    }
    const count = (await readTiffBand(join(output, 'result.tif'), 2)).data;
    expect(count).toEqual((await readTiffBand(golden, 2)).data);
  });

  it('CDSE-style items (no nodata tag in the files: the item\'s nodata 0 counts) give the C1 composite of the same dates', async () => {
    const cdse = JSON.parse(await readFile(jobPath('ndvi-cdse-cog'), 'utf8')).items as string[];
    const dates = ['20230810', '20230813', '20230815'];
    const c1 = (JSON.parse(await readFile(jobPath('composite-c1'), 'utf8')).items as string[]).filter((h) => dates.some((d) => h.includes(d)));
    const a = await run('composite-c1', (job) => { job.items = cdse; });
    const b = await run('composite-c1', (job) => { job.items = c1; });
    for (const band of [0, 1, 2]) {
      const [x, y] = [await readTiffBand(join(a.output, 'result.tif'), band), await readTiffBand(join(b.output, 'result.tif'), band)];
      expect(x.data).toEqual(y.data);
    }
    expect(a.item.properties['eofn:radiometry'][0].assets.red).toMatchObject({ key: 'B04_10m', nodata: 0 });
  });

  it('a picking method keeps float32 when the values are scaled, and an integer dtype is refused', async () => {
    const { output } = await run('composite-c1', (job) => { job.params.method = 'last'; });
    expect((await readTiffBand(join(output, 'result.tif'))).data.some((v) => v > 0 && v < 1)).toBe(true);
    const raw = JSON.parse(await readFile(jobPath('composite-c1'), 'utf8'));
    raw.params.dtype = 'uint16';
    await expect(prepareJob(raw, jobPath('composite-c1'))).rejects.toThrow(/params\.dtype: uint16 cannot hold the scaled values of items\[\d\] asset "red"/);
  });
});

describe('asset names that match two assets', () => {
  it('fail before any work, naming both candidates', async () => {
    const raw = JSON.parse(await readFile(jobPath('ndvi-cdse-cog'), 'utf8'));
    const item = JSON.parse(await readFile(join(ARCHIVE, 'jobs', raw.items[0]), 'utf8'));
    item.assets.B04_10m_copy = { ...item.assets.B04_10m };
    item.assets.B04_10m_copy.href = new URL(item.assets.B04_10m.href, `file://${join(ARCHIVE, 'jobs', raw.items[0])}`).pathname;
    item.assets.B04_10m.href = item.assets.B04_10m_copy.href;
    raw.items[0] = item;
    await expect(prepareJob(raw, jobPath('ndvi-cdse-cog')))
      .rejects.toThrow(/items\[0\] \(S2B_MSIL2A_\w+\): asset "red" is ambiguous: it matches "B04_10m", "B04_10m_copy" by common name \(all at 120 m\)/);
  });
});
