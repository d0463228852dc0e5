import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromFile } from 'geotiff';
import { describe, expect, it } from 'vitest';

// Checks that the committed sample data and golden files are whole and not degenerate, without Python.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const jobPath = join(root, 'sample-data/jobs/ndvi-demo.json');
const goldenDir = join(root, 'test/golden/tile-reduce');
const bandAssets = ['blue', 'green', 'red', 'nir'];
const reducers = ['mean', 'median', 'min', 'max', 'sum', 'count', 'std', 'first', 'last', 'p10', 'p25', 'p50', 'p75', 'p90'];
const goldenFiles = [...reducers.map((r) => `ndvi-${r}.tif`), 'ndvi-nomask-mean.tif', 'ndvi-single-first.tif'];

interface StacAsset {
  href: string;
  'proj:shape': [number, number];
  'proj:transform': number[];
  'raster:bands': { nodata: number; data_type: string }[];
}
interface StacItem {
  id: string;
  bbox: number[];
  properties: { datetime: string };
  assets: Record<string, StacAsset>;
}
interface Job {
  items: string[];
  params: { mask: { asset: string; exclude: number[] } };
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

function loadItems(): { path: string; item: StacItem }[] {
  const job = readJson<Job>(jobPath);
  return job.items.map((href) => {
    const path = resolve(dirname(jobPath), href);
    return { path, item: readJson<StacItem>(path) };
  });
}

async function readBand(path: string): Promise<{ width: number; height: number; data: Float32Array; sampleFormat: number }> {
  const tiff = await fromFile(path);
  const image = await tiff.getImage();
  const [band] = await image.readRasters();
  return {
    width: image.getWidth(),
    height: image.getHeight(),
    data: band as Float32Array,
    sampleFormat: image.getSampleFormat(0),
  };
}

async function readGolden(name: string): Promise<Float32Array> {
  return (await readBand(join(goldenDir, name))).data;
}

describe('sample items', () => {
  it('lists five items in datetime order, each parsing as a STAC item', () => {
    // Prepare / Act
    const items = loadItems();

    // Assess
    expect(items).toHaveLength(5);
    const datetimes = items.map(({ item }) => Date.parse(item.properties.datetime));
    expect(datetimes.every((t, i) => i === 0 || t > datetimes[i - 1])).toBe(true);
    for (const { path, item } of items) {
      expect(path.endsWith(`${item.id}/${item.id}.json`)).toBe(true);
      expect(item.bbox).toHaveLength(4);
    }
  });

  it('has every asset href pointing at an existing file', () => {
    // Prepare
    const items = loadItems();

    // Act
    const hrefs = items.flatMap(({ path, item }) =>
      Object.values(item.assets).map((asset) => resolve(dirname(path), asset.href)));

    // Assess
    expect(hrefs).toHaveLength(25);
    for (const href of hrefs) expect(existsSync(href), href).toBe(true);
  });

  it('ships 256 px bands in 64 px tiles and SCL at half the resolution on the same origin', async () => {
    // Prepare
    const [{ path, item }] = loadItems();

    // Act
    const red = await (await fromFile(resolve(dirname(path), item.assets.red.href))).getImage();
    const scl = await (await fromFile(resolve(dirname(path), item.assets.scl.href))).getImage();

    // Assess
    expect([red.getWidth(), red.getHeight(), red.getTileWidth(), red.getTileHeight()]).toEqual([256, 256, 64, 64]);
    expect([scl.getWidth(), scl.getHeight()]).toEqual([128, 128]);
    expect(scl.getResolution()[0]).toBe(2 * red.getResolution()[0]);
    expect(scl.getOrigin()).toEqual(red.getOrigin());
    expect(item.assets.red['proj:transform'][2]).toBe(red.getOrigin()[0]);
    expect(item.assets.red['proj:transform'][5]).toBe(red.getOrigin()[1]);
    for (const key of bandAssets) expect(item.assets[key]['raster:bands'][0]).toMatchObject({ nodata: 0, data_type: 'uint16' });
  });
});

describe('golden tile-reduce results', () => {
  it.each(goldenFiles)('%s is a 256 x 256 float32 raster', async (name) => {
    // Prepare
    const path = join(goldenDir, name);

    // Act
    const band = await readBand(path);

    // Assess
    expect([band.width, band.height]).toEqual([256, 256]);
    expect(band.sampleFormat).toBe(3);
    expect(band.data).toBeInstanceOf(Float32Array);
  });

  it('has whole counts between 0 and the number of items', async () => {
    // Prepare
    const itemCount = loadItems().length;

    // Act
    const count = await readGolden('ndvi-count.tif');

    // Assess
    expect(count.every((c) => Number.isInteger(c) && c >= 0 && c <= itemCount)).toBe(true);
    expect(count.some((c) => c === 0)).toBe(true);
    expect(count.some((c) => c === itemCount)).toBe(true);
  });

  it('orders min <= median <= max wherever defined, NaN exactly where count is 0', async () => {
    // Prepare
    const [min, median, max, count] = await Promise.all(
      ['ndvi-min.tif', 'ndvi-median.tif', 'ndvi-max.tif', 'ndvi-count.tif'].map(readGolden));

    // Act
    let valid = 0;
    let masked = 0;
    let misordered = 0;
    let nanMismatch = 0;
    for (let i = 0; i < median.length; i++) {
      if (Number.isNaN(median[i])) {
        masked++;
        if (count[i] !== 0 || !Number.isNaN(min[i]) || !Number.isNaN(max[i])) nanMismatch++;
        continue;
      }
      valid++;
      if (count[i] === 0 || !(min[i] <= median[i] && median[i] <= max[i])) misordered++;
    }

    // Assess
    expect(valid).toBeGreaterThanOrEqual(1000);
    expect(masked).toBeGreaterThan(0);
    expect(misordered).toBe(0);
    expect(nanMismatch).toBe(0);
  });

  it('differs between masked and unmasked means, so the mask matters', async () => {
    // Prepare
    const [masked, unmasked] = await Promise.all(['ndvi-mean.tif', 'ndvi-nomask-mean.tif'].map(readGolden));

    // Act
    let differing = 0;
    for (let i = 0; i < masked.length; i++) {
      if (!Number.isNaN(masked[i]) && Math.abs(masked[i] - unmasked[i]) > 0.01) differing++;
    }

    // Assess
    expect(differing).toBeGreaterThan(1000);
  });

  it('matches the valid-pixel counts of its manifest', async () => {
    // Prepare
    const manifest = readJson<{ files: Record<string, { valid: number }> }>(join(goldenDir, 'manifest.json'));

    // Act
    const counted = await Promise.all(goldenFiles.map(async (name) =>
      (await readGolden(name)).reduce((n, v) => (Number.isNaN(v) ? n : n + 1), 0)));

    // Assess
    expect(Object.keys(manifest.files).sort()).toEqual([...goldenFiles].sort());
    expect(counted).toEqual(goldenFiles.map((name) => manifest.files[name].valid));
  });
});
