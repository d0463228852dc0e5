/**
 * parcel-aggregate on offset-carrying items (test/fixtures/archive/c1: the sample pixels + 1000, STAC offset
 * -0.1, scale 0.0001): every statistic is the one of the sample's digital numbers (the legacy items read
 * "raw", the path the numpy golden tests pin) mapped to reflectance. Asset bands take the native path (scale
 * applied to the statistics), expression bands the float path (scale applied per pixel).
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runParcelJob, SCL_MASK, type Row } from './parcelTestKit.ts';

const itemsOf = (source: 'c1' | 'legacy') => readdirSync(join(ROOT, 'test/fixtures/archive', source)).sort()
  .map((id) => join(ROOT, 'test/fixtures/archive', source, id, `${id}.json`));

/** 64 rectangles of 3 to 10 pixels a side over the sample crop (EPSG:32633, 120 m pixels from 511500, 5173140). */
function parcelsOverTheCrop(): string {
  const features = Array.from({ length: 64 }, (_, k) => {
    const x0 = 511500 + (k % 8) * 3840 + 60 + (k % 5) * 37, y0 = 5173140 - Math.floor(k / 8) * 3840 - 60;
    const w = 360 + (k % 8) * 110, h = 360 + Math.floor(k / 8) * 120;
    const ring = [[x0, y0], [x0 + w, y0], [x0 + w, y0 - h], [x0, y0 - h], [x0, y0]];
    return { type: 'Feature', properties: { ID: `p${k}` }, geometry: { type: 'Polygon', coordinates: [ring] } };
  });
  const path = join(mkdtempSync(join(tmpdir(), 'eofn-parcels-crop-')), 'parcels.geojson');
  writeFileSync(path, JSON.stringify({ type: 'FeatureCollection', crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::32633' } }, features }));
  return path;
}

const PARAMS = {
  parcels: parcelsOverTheCrop(), idProperty: 'ID', assets: ['red', 'nir'],
  expressions: { ndvi: '(nir - red) / (nir + red)' }, rule: 'all-touched', mask: SCL_MASK,
  stats: ['count', 'mean', 'std', 'min', 'max', 'sum', 'p10', 'p50', 'p90'],
};
const AFFINE = ['mean', 'min', 'max', 'p10', 'p50', 'p90'];

describe('parcel-aggregate applies the STAC scale/offset', () => {
  it.each([
    ['assets only (native path: scale applied to the statistics)', { expressions: undefined }],
    ['assets and NDVI (float path: scale applied per pixel)', {}],
  ])('C1 statistics are the sample digital numbers in reflectance, x 0.0001 (std, sum too), NDVI unchanged: %s', async (_, edit) => {
    // Act
    const c1 = await runParcelJob({ ...PARAMS, ...edit }, itemsOf('c1'));
    const dn = await runParcelJob({ ...PARAMS, ...edit, radiometry: 'raw' }, itemsOf('legacy'));
    // Assess
    expect(c1.rows.length).toBe(dn.rows.length);
    const counted = dn.rows.filter((r) => (r.count as number) > 0);
    expect(counted.length).toBeGreaterThan(100);
    const close = (a: unknown, e: number, what: string) =>
      expect(Math.abs((a as number) - e), what).toBeLessThanOrEqual(1e-6 * Math.max(1e-3, Math.abs(e)));
    dn.rows.forEach((d: Row, i) => {
      const r = c1.rows[i];
      const what = `${d.parcel_id} ${d.item_id} ${d.band}`;
      expect([r.parcel_id, r.band, r.count, r.nodata_count], what).toEqual([d.parcel_id, d.band, d.count, d.nodata_count]);
      if (d.count === 0) return;
      if (d.band === 'ndvi') {
        for (const s of [...AFFINE, 'std']) expect(Math.abs((r[s] as number) - (d[s] as number)), `${what} ${s}`).toBeLessThanOrEqual(1e-5);
        return;
      }
      for (const s of AFFINE) close(r[s], (d[s] as number) * 1e-4, `${what} ${s}`);
      close(r.std, (d.std as number) * 1e-4, `${what} std`);
      close(r.sum, (d.sum as number) * 1e-4, `${what} sum`);
    });
    expect(c1.item.properties['eofn:radiometry'][0].assets.red).toMatchObject({ scale: 0.0001, offset: -0.1 });
  });
});
