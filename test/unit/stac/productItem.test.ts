/**
 * Product items as a partner's STAC tooling reads them: valid under the STAC 1.1 schemas and each extension
 * they declare (an independent validator, schemas vendored), links that resolve from the item's location.
 */
import { describe, expect, it } from 'vitest';
import { productItem } from '../../../functions/core/engine/productItem.ts';
import { absoluteHref, relativeHref } from '../../../functions/core/stac/stacHrefs.ts';
import type { PreparedJob } from '../../../functions/core/engine/prepareJob.ts';
import type { ProductSummary } from '../../../functions/core/ops/types.ts';
import { stacProblems } from '../../helpers/stacValidator.ts';

const grid = { crs: 'EPSG:32633', width: 4, height: 2, originX: 500000, originY: 5100000, resX: 10, resY: 10 };

function prepared(outputHref: string, inputs: PreparedJob['inputs']): PreparedJob {
  return { job: { id: 'j1', op: 'tile-reduce', items: ['x'], params: { expression: 'a', reducer: 'mean' }, output: 'o' } as never, outputHref, inputs, setup: {}, partsKey: 'k' };
}

const raster: ProductSummary = {
  grid: grid as never,
  assets: { result: { href: './result.tif', type: 'image/tiff', roles: ['data'], 'raster:bands': [{ name: 'ndvi', data_type: 'float32', nodata: 'nan' }] } },
};
const table: ProductSummary = {
  assets: { data: { href: './result.parquet', type: 'application/vnd.apache.parquet', roles: ['data'], 'table:columns': [{ name: 'mean', type: 'float' }], 'table:row_count': 3 } },
};

describe('product STAC item', () => {
  it('a raster item declares projection v2 with proj:code (no proj:epsg) and raster; a table item declares table', async () => {
    const r = productItem(prepared('/data/out', [{ id: 'a', href: '/data/in/a.json', datetime: '2023-08-10T10:00:00Z' }]), raster);
    const t = productItem(prepared('/data/out', [{ id: 'a', href: '/data/in/a.json', datetime: '2023-08-10T10:00:00Z' }]), table);
    expect(r.stac_extensions).toEqual([expect.stringContaining('/projection/v2.0.0/'), expect.stringContaining('/raster/v1.1.0/')]);
    expect((r.properties as Record<string, unknown>)['proj:code']).toBe('EPSG:32633');
    expect(r.properties).not.toHaveProperty('proj:epsg');
    expect(t.stac_extensions).toEqual([expect.stringContaining('/table/v1.2.0/')]);
    expect(await stacProblems(r)).toEqual([]);
    expect(await stacProblems(t)).toEqual([]);
  });

  it('self is absolute; inputs are relative to the item on the same store, absolute elsewhere', () => {
    const item = productItem(prepared('/data/out/ndvi', [
      { id: 'a', href: '/data/in/a.json', datetime: null },
      { id: 'b', href: 'https://earth-search.example/b.json', datetime: null },
      { id: 'c', href: '/other/c.tif', datetime: null },
      { id: 'inline', datetime: null },
    ]), raster);
    expect(item.links).toEqual([
      { rel: 'self', href: 'file:///data/out/ndvi/item.json', type: 'application/geo+json' },
      { rel: 'derived_from', href: '../../in/a.json', type: 'application/geo+json', title: 'a' },
      { rel: 'derived_from', href: 'https://earth-search.example/b.json', type: 'application/geo+json', title: 'b' },
      { rel: 'derived_from', href: 'file:///other/c.tif', type: 'image/tiff; application=geotiff', title: 'c' },
    ]);
    expect(relativeHref('s3://bucket/in/a.json', 's3://bucket/out/x/item.json')).toBe('../../in/a.json');
    expect(relativeHref('s3://other/in/a.json', 's3://bucket/out/item.json')).toBe('s3://other/in/a.json');
    expect(absoluteHref('s3://bucket/out/item.json')).toBe('s3://bucket/out/item.json');
  });

  it('the validator is not a rubber stamp: it rejects what the earlier items did', async () => {
    // Prepare: the faults a STAC validator found in earlier products
    const dated = [{ id: 'a', datetime: '2023-08-10T10:00:00Z' }];
    const good = productItem(prepared('/data/out', dated), raster) as Record<string, any>;
    const relativeSelf = { ...good, links: [{ rel: 'self', href: './item.json' }] };
    const epsg = { ...good, properties: { ...good.properties, 'proj:epsg': 32633 } };
    const undeclaredTable = { ...productItem(prepared('/data/out', dated), table), stac_extensions: [] };
    const noDatetime = { ...good, properties: { 'proj:code': 'EPSG:32633' } };
    // Act / Assess
    expect(await stacProblems(relativeSelf)).toEqual(expect.arrayContaining([expect.stringMatching(/\/links\/0\/href must match format "iri"/)]));
    expect(await stacProblems(epsg)).toEqual(expect.arrayContaining([expect.stringMatching(/^proj:epsg: not a field of .*projection\/v2\.0\.0/)]));
    expect(await stacProblems(undeclaredTable)).toEqual(expect.arrayContaining(['table:columns: the table extension is not declared']));
    expect((await stacProblems(noDatetime)).join('\n')).toMatch(/datetime/);
  });
});
