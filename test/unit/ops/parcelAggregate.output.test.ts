/**
 * The product of parcel-aggregate, a dataset of one file per partition: Parquet and CSV hold the same rows;
 * the STAC item describes the dataset and its preview; DuckDB reads it as one table; GDAL reads the CSV where GDAL is installed (Debian's GDAL 3.6 has no Parquet driver).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hasGdal } from '../../helpers/gdal.ts';
import { stacFileProblems } from '../../helpers/stacValidator.ts';
import { DK_ITEMS, readGoldenCsv, ROOT, runParcelJob, SCL_MASK, SI_ITEMS } from './parcelTestKit.ts';

const DK = { parcels: `${ROOT}/sample-data/parcels/dk-marker-2026.geojson`, idProperty: ['Journalnr', 'Marknr'], assets: ['value'] };
const PARAMS = { parcels: `${ROOT}/sample-data/parcels/si-eurocrops-2021.fgb`, idProperty: 'ID', expressions: { ndvi: '(nir - red) / (nir + red)' }, mask: SCL_MASK, stats: ['mean', 'p50'] };

describe('parcel-aggregate product', () => {
  it('writes the same rows as CSV and as Parquet datasets, and describes the dataset in the STAC item', async () => {
    // Act
    const parquet = await runParcelJob(PARAMS, SI_ITEMS);
    const csv = await runParcelJob({ ...PARAMS, format: 'csv' }, SI_ITEMS);
    // Assess: file for file, the same rows
    expect(csv.files.map((f) => basename(f, '.csv'))).toEqual(parquet.files.map((f) => basename(f, '.parquet')));
    parquet.fileRows.forEach((rows, k) => {
      const lines = readFileSync(csv.files[k], 'utf8').trim().split('\n');
      expect(lines[0]).toBe('parcel_id,item_id,datetime,band,count,nodata_count,mean,p50');
      expect(lines).toHaveLength(rows.length + 1);
      rows.forEach((r, i) => {
        const cells = lines[i + 1].split(',');
        expect(cells.slice(0, 6)).toEqual([r.parcel_id, r.item_id, (r.datetime as Date).toISOString(), r.band, String(r.count), String(r.nodata_count)]);
        expect(cells[6] === '' ? null : Number(cells[6])).toBe(r.mean);
      });
    });
    expect(parquet.rows).toHaveLength(300);
    const names = readdirSync(join(parquet.output, 'table')).sort();
    expect(parquet.item.assets.data).toMatchObject({ href: './table/', type: 'application/vnd.apache.parquet', roles: ['data'], 'table:row_count': 300 });
    expect([...parquet.item.assets.data['eofn:files']].sort()).toEqual(names.map((f) => `./table/${f}`));
    expect(parquet.item.properties['eofn:dataset']).toEqual({ glob: 'table/*.parquet', files: names.length });
    expect(existsSync(join(parquet.output, 'result.parquet'))).toBe(false);
    expect(csv.item.assets.data).toMatchObject({ href: './table/', type: 'text/csv' });
    expect(csv.item.properties['eofn:dataset']).toEqual({ glob: 'table/*.csv', files: names.length });
    for (const run of [parquet, csv]) expect(await stacFileProblems(join(run.output, 'item.json'))).toEqual([]);
    expect(parquet.item.assets.preview).toMatchObject({ href: './preview.png', type: 'image/png' });
    expect(readFileSync(join(parquet.output, 'preview.png')).subarray(1, 4).toString()).toBe('PNG');
    expect(parquet.item.assets.preview.title).toBe('Time series of ndvi mean per parcel (a sample, and the median of all)');
    expect(parquet.item.assets.histogram).toMatchObject({ href: './histogram.png', type: 'image/png', title: 'Histogram of ndvi mean per parcel and date' });
    expect(readFileSync(join(parquet.output, 'histogram.png')).subarray(1, 4).toString()).toBe('PNG');
    if (hasGdal()) {
      const counts = csv.files.map((f) => Number(/Feature Count: (\d+)/.exec(execFileSync('ogrinfo', ['-so', '-al', f], { encoding: 'utf8' }))?.[1]));
      expect(counts.reduce((a, b) => a + b, 0)).toBe(300);
    }
  });

  // The Danish parcels span the country: at the default budget the planner cuts them into several partitions.
  let split: ReturnType<typeof runParcelJob>;
  beforeAll(() => { split = runParcelJob(DK, DK_ITEMS, { minPartitions: 3 }); });

  it('pictures the same previews whatever the partitioning (each partition samples by parcel file index)', async () => {
    const one = await runParcelJob(DK, DK_ITEMS, { memoryMb: 8192 });
    const three = await split;
    expect(one.files.length).toBe(1);
    expect(three.files.length).toBeGreaterThanOrEqual(3);
    for (const png of ['preview.png', 'histogram.png']) expect(readFileSync(join(three.output, png)).equals(readFileSync(join(one.output, png))), png).toBe(true);
  });

  it('is read as one table by DuckDB, each file in parcel file order, then date, then band', async () => {
    // Prepare: the parcel file's own order, from the golden rows (scripts/golden/parcels.py writes file order)
    const golden = readGoldenCsv('dk-marker-centroid');
    const position = new Map<unknown, number>();
    for (const g of golden) if (!position.has(g.parcel_id)) position.set(g.parcel_id, position.size);
    // Act
    const { output, fileRows, rows } = await split;
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const read = await db.runAndReadAll(`SELECT count(*) AS n, count(DISTINCT parcel_id) AS parcels, sum(count) AS pixels FROM read_parquet('${output}/table/*.parquet')`);
    // Assess
    expect(fileRows.length).toBeGreaterThanOrEqual(3);
    expect(read.getRowObjectsJS()[0]).toEqual({ n: BigInt(rows.length), parcels: BigInt(position.size), pixels: rows.reduce((s, r) => s + BigInt(r.count as number), 0n) });
    for (const file of fileRows) {
      const keys = file.map((r) => [position.get(r.parcel_id)!, (r.datetime as Date | null)?.getTime() ?? 0, r.band]);
      const sorted = [...keys].sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number));
      expect(keys).toEqual(sorted);
    }
  });
});
