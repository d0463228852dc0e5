/**
 * parcel-aggregate over two overlapping tiles (33TWM and the real grid of 33TWL, 40 m off it, 2.8 km of
 * overlap) with one parcel file spanning both: each tile's parcels are summarised on that tile's own grid,
 * by the rule of `params.overlap`, against rasterio + numpy (scripts/golden/two_tiles.py). Before multi-tile
 * jobs, the second tile's pixels were sampled onto the first tile's grid and its parcels got count = 0.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectSameTable, readGoldenCsv, readParquetRows, ROOT, runParcelJob, SCL_MASK, TWO_TILE_ITEMS } from './parcelTestKit.ts';

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
        const rows = await readParquetRows(join(output, 'table', `${tile}.parquet`));
        expectSameTable(rows, readGoldenCsv(`two-tiles-${overlap}-${tile}`));
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
      expect(tileItem.assets.data.href).toBe(`../../table/${tileItem.properties['eofn:tile']}.parquet`);
      expect(existsSync(join(output, href, '..', tileItem.assets.data.href))).toBe(true);
      expect(tileItem.links.filter((l: { rel: string }) => l.rel === 'derived_from')).toHaveLength(3);
    }
    expect(item.assets.collection.href).toBe('./collection.json');
    expect(item.properties['eofn:dataset']).toEqual({ files: ['./table/33TWL.parquet', './table/33TWM.parquet'], glob: 'table/*.parquet' });
    expect(item.assets.data_33TWM.href).toBe('./table/33TWM.parquet');
    expect(readdirSync(join(output, 'table')).sort()).toEqual(['33TWL.parquet', '33TWM.parquet']);
    // DuckDB reads the tiles' tables as one dataset, as a user would
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const read = await db.runAndReadAll(`SELECT count(*) AS n, count(DISTINCT parcel_id) AS parcels, sum(count) AS pixels FROM read_parquet('${output}/table/*.parquet')`);
    const ours = [...await readParquetRows(join(output, 'table', '33TWL.parquet')), ...await readParquetRows(join(output, 'table', '33TWM.parquet'))];
    expect(read.getRowObjectsJS()[0]).toEqual({ n: BigInt(ours.length), parcels: 100n, pixels: ours.reduce((s, r) => s + BigInt(r.count as number), 0n) });
    expect(item.bbox).toHaveLength(4);
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
      const a = await readParquetRows(join(indexed.output, 'table', `${tile}.parquet`));
      const b = await readParquetRows(join(plain.output, 'table', `${tile}.parquet`));
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
