/**
 * parcel-aggregate over two overlapping tiles (33TWM and the real grid of 33TWL, 40 m off it, 2.8 km of
 * overlap) with one parcel file spanning both: each tile's parcels are summarised on that tile's own grid,
 * by the rule of `params.overlap`, against rasterio + numpy (scripts/golden/two_tiles.py). Before multi-tile
 * jobs, the second tile's pixels were sampled onto the first tile's grid and its parcels got count = 0.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareJob } from '../../../functions/core/engine/index.ts';
import { expectSameTable, readGoldenCsv, readParquetRows, ROOT, runParcelJob, SCL_MASK, TWO_TILE_ITEMS, type Row } from './parcelTestKit.ts';

/** Each partition wrote its own file; rows compared in (parcel, item, band) order. */
const byKey = (a: Row, b: Row) => `${a.parcel_id} ${a.item_id} ${a.band}`.localeCompare(`${b.parcel_id} ${b.item_id} ${b.band}`);
async function tileRows(output: string, tile: string): Promise<Row[]> {
  const files = readdirSync(join(output, 'table')).filter((f) => f.startsWith(`${tile}-`)).sort();
  const rows: Row[] = [];
  for (const f of files) rows.push(...await readParquetRows(join(output, 'table', f)));
  return rows.sort(byKey);
}

const PARAMS = {
  parcels: `${ROOT}/sample-data/parcels/si-eurocrops-2021.fgb`, idProperty: 'ID',
  assets: ['red'], expressions: { ndvi: '(nir - red) / (nir + red)' }, mask: SCL_MASK,
};

describe('parcel-aggregate: one job over two overlapping tiles', () => {
  for (const overlap of ['one', 'all'] as const) {
    it(`gives each tile's parcels their own tile's pixels (overlap ${overlap})`, async () => {
      // Act
      const { output, plan, item } = await runParcelJob({ ...PARAMS, overlap }, TWO_TILE_ITEMS, { memoryMb: 1769, minPartitions: 3 });
      // Assess: a table per tile, equal to the reference on that tile's grid
      for (const tile of ['33TWL', '33TWM']) {
        const rows = await tileRows(output, tile);
        expectSameTable(rows, readGoldenCsv(`two-tiles-${overlap}-${tile}`).sort(byKey));
        expect(new Set(rows.map((r) => (r.item_id as string).split('_')[1]))).toEqual(new Set([tile]));
      }
      expect(plan.partitions.every((p) => p.id.startsWith(`${p.tile}-`))).toBe(true);
      expect(new Set(plan.partitions.map((p) => p.tile))).toEqual(new Set(['33TWL', '33TWM']));
      const parcels = (readGoldenCsv(`two-tiles-${overlap}-33TWL`).length + readGoldenCsv(`two-tiles-${overlap}-33TWM`).length) / 6;
      expect(item.properties['eofn:parcels']).toBe(parcels);
      expect(item.properties['eofn:tiles'].map((t: { tile: string }) => t.tile)).toEqual(['33TWL', '33TWM']);
    });
  }

  it('with overlap "one", every parcel of the file has rows from exactly one tile', async () => {
    const golden = [...readGoldenCsv('two-tiles-one-33TWL'), ...readGoldenCsv('two-tiles-one-33TWM')];
    const ids = golden.filter((r) => r.band === 'red' && (r.item_id as string).endsWith('20230813_0_L2A')).map((r) => r.parcel_id);
    expect(ids.length).toBe(100);
    expect(new Set(ids).size).toBe(100);
    const all = [...readGoldenCsv('two-tiles-all-33TWL'), ...readGoldenCsv('two-tiles-all-33TWM')];
    expect(all.length / 6).toBeGreaterThan(105); // the overlap holds parcels that "all" summarises twice
  });

  it('writes a STAC item per tile and a collection linking them', async () => {
    const { output, item } = await runParcelJob({ ...PARAMS }, TWO_TILE_ITEMS);
    const collection = JSON.parse(readFileSync(join(output, 'collection.json'), 'utf8'));
    expect(collection.type).toBe('Collection');
    const links = collection.links.filter((l: { rel: string }) => l.rel === 'item').map((l: { href: string }) => l.href);
    expect(links).toEqual(['./tiles/33TWL/item.json', './tiles/33TWM/item.json']);
    for (const href of links) {
      const tileItem = JSON.parse(readFileSync(join(output, href), 'utf8'));
      expect(tileItem.assets.data.href).toBe('../../table/');
      for (const f of tileItem.assets.data['eofn:files']) expect(existsSync(join(output, href, '..', f))).toBe(true);
      expect(tileItem.links.filter((l: { rel: string }) => l.rel === 'derived_from')).toHaveLength(3);
    }
    expect(item.assets.collection.href).toBe('./collection.json');
    const files = readdirSync(join(output, 'table')).sort();
    expect(item.properties['eofn:dataset']).toEqual({ glob: 'table/*.parquet', files: files.length });
    expect(item.assets.data.href).toBe('./table/');
    expect([...item.assets.data['eofn:files']].sort()).toEqual(files.map((f) => `./table/${f}`));
    expect(files.every((f) => /^33TW[LM]-parcels-.*\.parquet$/.test(f))).toBe(true);
    // DuckDB reads the tiles' tables as one dataset, as a user would
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const read = await db.runAndReadAll(`SELECT count(*) AS n, count(DISTINCT parcel_id) AS parcels, sum(count) AS pixels FROM read_parquet('${output}/table/*.parquet')`);
    const ours = [...await tileRows(output, '33TWL'), ...await tileRows(output, '33TWM')];
    expect(read.getRowObjectsJS()[0]).toEqual({ n: BigInt(ours.length), parcels: 100n, pixels: ours.reduce((s, r) => s + BigInt(r.count as number), 0n) });
    expect(item.bbox).toHaveLength(4);
  });
});

describe('parcel-aggregate: a tile with no parcel', () => {
  it('gets no partition, and the plan and the product item say which', async () => {
    // Prepare: one parcel in the north of 33TWM, far from 33TWL
    const dir = mkdtempSync(join(tmpdir(), 'eofn-onetile-'));
    const ring = [[550000, 5108000], [550300, 5108000], [550300, 5108300], [550000, 5108300], [550000, 5108000]];
    writeFileSync(join(dir, 'one.geojson'), JSON.stringify({ type: 'FeatureCollection', crs: { type: 'name', properties: { name: 'EPSG:32633' } },
      features: [{ type: 'Feature', properties: { fid: 'north' }, geometry: { type: 'Polygon', coordinates: [ring] } }] }));
    // Act
    const { plan, item } = await runParcelJob({ parcels: join(dir, 'one.geojson'), idProperty: 'fid', assets: ['red'] }, TWO_TILE_ITEMS);
    // Assess
    expect(plan.partitions.map((p) => p.tile)).toEqual(['33TWM']);
    expect(plan.model.tilesWithoutWork).toBe('33TWL');
    expect(item.properties['eofn:tiles_without_parcels']).toEqual(['33TWL']);
    expect(item.properties['eofn:parcels']).toBe(1);
  });
});

describe('parcel-aggregate: a parcel file without a spatial index', () => {
  it('is converted once in prepare into an indexed FlatGeobuf under the output, with a warning, and gives the same rows', async () => {
    // Prepare: 2,700 parcels written by GDAL with and without its index (362 KB, past PARCEL_INDEX_MIN_BYTES)
    const grid = (name: string) => ({ parcels: `${ROOT}/test/fixtures/parcels/grid/${name}`, idProperty: 'pid', assets: ['red'] });
    // Act
    const indexed = await runParcelJob(grid('parcel-grid.fgb'), TWO_TILE_ITEMS, { minPartitions: 4 });
    const plain = await runParcelJob(grid('parcel-grid-noindex.fgb'), TWO_TILE_ITEMS, { minPartitions: 4 });
    // Assess
    expect(plain.item.properties['eofn:warnings'][0]).toMatch(/parcel-grid-noindex\.fgb has no spatial index: read once in prepare \(2700 features/);
    expect(existsSync(join(plain.output, '_eofn'))).toBe(true);
    expect(indexed.item.properties['eofn:warnings']).toBeUndefined();
    for (const tile of ['33TWL', '33TWM']) {
      const a = await tileRows(indexed.output, tile);
      const b = await tileRows(plain.output, tile);
      expect(b.length).toBeGreaterThan(1000);
      // Same parcels and pixels; row order is each source file's own (GDAL's Hilbert order vs row-major)
      const key = (r: Record<string, unknown>) => `${r.parcel_id} ${r.item_id} ${r.count} ${r.mean}`;
      expect(b.map(key).sort()).toEqual(a.map(key).sort());
    }
    expect(plain.item.properties['eofn:parcels_in_file']).toBe(2700);
    expect(plain.item.properties['eofn:parcels']).toBe(indexed.item.properties['eofn:parcels']);
    expect(plain.item.properties['eofn:parcels_outside_raster']).toBe(2700 - plain.item.properties['eofn:parcels_covered']);
  });
});

describe('parcel-aggregate: items of several collections over several tiles', () => {
  // 33TWM's items from sentinel-2-l2a, 33TWL's from a collection whose "red" is band 5
  const mixedItems = () => TWO_TILE_ITEMS.map((path) => {
      const item = JSON.parse(readFileSync(path, 'utf8'));
      for (const asset of Object.values(item.assets) as { href: string }[]) asset.href = join(path, '..', asset.href);
      const other = item.id.includes('33TWL');
      item.collection = other ? 'my-s2-reprocessing' : 'sentinel-2-l2a';
      item.assets.red['eo:bands'] = [other ? { name: 'B05', common_name: 'rededge' } : { name: 'B04', common_name: 'red' }];
      return item;
    });
  const MIXED = /asset "red": means different bands in the job's collections: collection "sentinel-2-l2a" \(items\[\d\] S2\w_33TWM_\w+\): red; collection "my-s2-reprocessing" \(items\[\d\] S2\w_33TWL_\w+\): rededge/;

  it('refuses a key that means another band in one tile\'s collection, though each tile alone agrees with itself', async () => {
    await expect(runParcelJob({ ...PARAMS }, mixedItems())).rejects.toThrow(MIXED);
  });

  it('refuses it for the raster ops too (tile-reduce, composite)', async () => {
    const output = mkdtempSync(join(tmpdir(), 'eofn-mixed-'));
    await expect(prepareJob({ op: 'tile-reduce', items: mixedItems(), params: { expression: '(nir - red) / (nir + red)', reducer: 'mean' }, output })).rejects.toThrow(MIXED);
    await expect(prepareJob({ op: 'composite', items: mixedItems(), params: { assets: ['red'], method: 'median' }, output })).rejects.toThrow(MIXED);
  });
});
