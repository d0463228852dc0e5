/**
 * The product of parcel-aggregate: Parquet and CSV hold the same rows; the STAC item describes the table and
 * its preview; GDAL reads the CSV where GDAL is installed (Debian's GDAL 3.6 has no Parquet driver).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasGdal } from '../../helpers/gdal.ts';
import { stacFileProblems } from '../../helpers/stacValidator.ts';
import { ROOT, runParcelJob, SCL_MASK, SI_ITEMS } from './parcelTestKit.ts';

const PARAMS = { parcels: `${ROOT}/sample-data/parcels/si-eurocrops-2021.fgb`, idProperty: 'ID', expressions: { ndvi: '(nir - red) / (nir + red)' }, mask: SCL_MASK, stats: ['mean', 'p50'] };

describe('parcel-aggregate product', () => {
  it('writes the same rows as CSV and as Parquet, and describes the table in the STAC item', async () => {
    // Act
    const parquet = await runParcelJob(PARAMS, SI_ITEMS);
    const csv = await runParcelJob({ ...PARAMS, format: 'csv' }, SI_ITEMS);
    // Assess
    const lines = readFileSync(csv.path, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('parcel_id,item_id,datetime,band,count,nodata_count,mean,p50');
    expect(lines).toHaveLength(parquet.rows.length + 1);
    parquet.rows.forEach((r, i) => {
      const cells = lines[i + 1].split(',');
      expect(cells.slice(0, 6)).toEqual([r.parcel_id, r.item_id, (r.datetime as Date).toISOString(), r.band, String(r.count), String(r.nodata_count)]);
      expect(cells[6] === '' ? null : Number(cells[6])).toBe(r.mean);
    });
    expect(parquet.item.assets.data).toMatchObject({ href: './result.parquet', type: 'application/vnd.apache.parquet', roles: ['data'], 'table:row_count': 300 });
    expect(csv.item.assets.data).toMatchObject({ href: './result.csv', type: 'text/csv' });
    for (const run of [parquet, csv]) expect(await stacFileProblems(join(run.output, 'item.json'))).toEqual([]);
    expect(parquet.item.assets.preview).toMatchObject({ href: './preview.png', type: 'image/png' });
    expect(readFileSync(join(parquet.output, 'preview.png')).subarray(1, 4).toString()).toBe('PNG');
    expect(parquet.item.assets.preview.title).toBe('Time series of ndvi mean per parcel (a sample, and the median of all)');
    expect(parquet.item.assets.histogram).toMatchObject({ href: './histogram.png', type: 'image/png', title: 'Histogram of ndvi mean per parcel and date' });
    expect(readFileSync(join(parquet.output, 'histogram.png')).subarray(1, 4).toString()).toBe('PNG');
    if (hasGdal()) {
      const info = execFileSync('ogrinfo', ['-so', '-al', csv.path], { encoding: 'utf8' });
      expect(info).toMatch(/Feature Count: 300/);
    }
  });
});
