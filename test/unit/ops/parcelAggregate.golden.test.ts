/**
 * parcel-aggregate against the reference made by GDAL/rasterio + numpy (scripts/golden/parcels.py): Slovenian
 * parcels over a crop of real Sentinel-2 (120 m, so many parcels have 0 or 1 pixel) and Danish parcels over a
 * synthetic 10 m raster, both rules. Pixel counts must be identical; statistics agree to float32 rounding.
 */
import { describe, expect, it } from 'vitest';
import { DK_ITEMS, readGoldenCsv, ROOT, runParcelJob, SCL_MASK, SI_ITEMS, type Row } from './parcelTestKit.ts';

const STATS = ['mean', 'std', 'min', 'max', 'p25', 'p50', 'p75'];
const SI = { idProperty: 'ID', assets: ['red'], expressions: { ndvi: '(nir - red) / (nir + red)' }, mask: SCL_MASK };
const DK = { parcels: `${ROOT}/sample-data/parcels/dk-marker-2026.geojson`, idProperty: ['Journalnr', 'Marknr'], assets: ['value'] };

function expectSameTable(actual: Row[], golden: Row[]): void {
  expect(actual.length).toBe(golden.length);
  const countsDiffer = golden.filter((g, i) => g.count !== actual[i].count || g.nodata_count !== actual[i].nodata_count);
  expect(countsDiffer.map((g) => `${g.parcel_id} ${g.item_id} ${g.band}`)).toEqual([]);
  golden.forEach((g, i) => {
    const a = actual[i];
    expect([a.parcel_id, a.item_id, a.band]).toEqual([g.parcel_id, g.item_id, g.band]);
    expect((a.datetime as Date).getTime()).toBe(new Date(g.datetime as string).getTime());
    for (const s of STATS) {
      if (g[s] === null) expect(a[s], `${g.parcel_id} ${g.band} ${s}`).toBeNull();
      else expect(Math.abs((a[s] as number) - (g[s] as number)), `${g.parcel_id} ${g.band} ${s}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(g[s] as number)));
    }
  });
}

describe('parcel-aggregate golden (rasterio + numpy)', () => {
  for (const rule of ['centroid', 'all-touched'] as const) {
    it(`Slovenian parcels (FlatGeobuf, EPSG:3794) on Sentinel-2, rule ${rule}`, async () => {
      // Prepare
      const golden = readGoldenCsv(`si-fgb-${rule}`);
      // Act
      const { rows } = await runParcelJob({ ...SI, parcels: `${ROOT}/sample-data/parcels/si-eurocrops-2021.fgb`, rule }, SI_ITEMS);
      // Assess
      expectSameTable(rows, golden);
      expect(golden.filter((g) => g.count === 0).length).toBeGreaterThan(0);
      expect(golden.filter((g) => (g.count as number) > 1).length).toBeGreaterThan(0);
    });

    it(`Danish parcels (GeoJSON, WGS84) on a synthetic 10 m UTM 32N raster, rule ${rule}`, async () => {
      const golden = readGoldenCsv(`dk-marker-${rule}`);
      const { rows } = await runParcelJob({ ...DK, rule }, DK_ITEMS);
      expectSameTable(rows, golden);
      expect(golden.filter((g) => (g.count as number) > 100).length).toBeGreaterThan(50);
    });
  }

  it('Slovenian parcels from GeoJSON in WGS84 (reprojected to UTM 33N), rule centroid', async () => {
    const golden = readGoldenCsv('si-geojson-centroid');
    const { rows } = await runParcelJob({ ...SI, parcels: `${ROOT}/sample-data/parcels/si-eurocrops-2021.geojson` }, SI_ITEMS);
    expectSameTable(rows, golden);
  });
});
