/**
 * parcel-aggregate against the reference made by GDAL/rasterio + numpy (scripts/golden/parcels.py): Slovenian
 * parcels over a crop of real Sentinel-2 (120 m, so many parcels have 0 or 1 pixel) and Danish parcels over a
 * synthetic 10 m raster, both rules. Pixel counts must be identical; statistics agree to float32 rounding.
 */
import { describe, expect, it } from 'vitest';
import { DK_ITEMS, expectSameTable, readGoldenCsv, ROOT, runParcelJob, SCL_MASK, SI_ITEMS } from './parcelTestKit.ts';

const SI = { idProperty: 'ID', assets: ['red'], expressions: { ndvi: '(nir - red) / (nir + red)' }, mask: SCL_MASK };
const DK = { parcels: `${ROOT}/sample-data/parcels/dk-marker-2026.geojson`, idProperty: ['Journalnr', 'Marknr'], assets: ['value'] };

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
