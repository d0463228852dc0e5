/**
 * Bad parcel input: each case gives a clear error that names the file and the feature, or a documented result
 * in the table and the product item; no parcel is lost silently.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runParcelJob, SI_ITEMS } from './parcelTestKit.ts';

/** A square of `size` metres at (x, y) in EPSG:32633, inside the Slovenian fixture crop. */
function square(x: number, y: number, size = 600): number[][] {
  return [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]];
}

function parcelsFile(features: { id?: unknown; ring: number[][] }[], crs = 'urn:ogc:def:crs:EPSG::32633'): string {
  const doc = {
    type: 'FeatureCollection',
    crs: { type: 'name', properties: { name: crs } },
    features: features.map((f) => ({ type: 'Feature', properties: f.id === undefined ? {} : { fid: f.id }, geometry: { type: 'Polygon', coordinates: [f.ring] } })),
  };
  const path = join(mkdtempSync(join(tmpdir(), 'eofn-bad-')), 'parcels.geojson');
  writeFileSync(path, JSON.stringify(doc));
  return path;
}

const run = (parcels: string, extra: Record<string, unknown> = {}) =>
  runParcelJob({ parcels, idProperty: 'fid', assets: ['red'], ...extra }, SI_ITEMS.slice(0, 1));

describe('parcel-aggregate bad input', () => {
  it('rejects a self-intersecting polygon, naming the feature and where it crosses', async () => {
    // Prepare: a bow tie
    const bowTie = [[550000, 5100000], [551000, 5101000], [551000, 5100000], [550000, 5101000], [550000, 5100000]];
    const path = parcelsFile([{ id: 'a', ring: square(550000, 5095000) }, { id: 'b', ring: bowTie }]);
    // Act + Assess
    await expect(run(path)).rejects.toThrow(/parcels\.geojson: 1 invalid parcel geometry: feature 1 \(id b\): ring 0 crosses itself near \(550500, 5100500\)/);
  });

  it('keeps an invalid polygon when asked, rasterised as GDAL does, and lists it in the product item', async () => {
    const bowTie = [[550000, 5100000], [551000, 5101000], [551000, 5100000], [550000, 5101000], [550000, 5100000]];
    const path = parcelsFile([{ id: 'a', ring: square(550000, 5095000) }, { id: 'b', ring: bowTie }]);
    const { rows, item } = await run(path, { invalidGeometry: 'keep' });
    expect(rows.map((r) => r.parcel_id)).toEqual(['a', 'b']);
    expect(rows[1].count as number).toBeGreaterThan(0); // both triangles of the bow tie hold pixel centres
    expect(item.properties['eofn:invalid_parcels']).toBe(1);
    expect(item.properties['eofn:invalid_parcel_list'][0]).toMatchObject({ index: 1, id: 'b' });
  });

  it('rejects an unclosed ring', async () => {
    const open = square(550000, 5095000).slice(0, 4);
    const path = parcelsFile([{ id: 'a', ring: open }]);
    await expect(run(path)).rejects.toThrow(/feature 0 \(id a\): ring 0 is not closed/);
  });

  it('rejects features without the id property, naming their indexes', async () => {
    const path = parcelsFile([{ id: 'a', ring: square(550000, 5095000) }, { ring: square(552000, 5095000) }, { id: null, ring: square(553000, 5095000) }]);
    await expect(run(path)).rejects.toThrow(/2 feature\(s\) have no id property "fid": feature 1, 2/);
  });

  it('rejects duplicate ids, listing them with their features', async () => {
    const path = parcelsFile([{ id: 'a', ring: square(550000, 5095000) }, { id: 'a', ring: square(552000, 5095000) }]);
    await expect(run(path)).rejects.toThrow(/1 duplicate id\(s\) in "fid": "a" \(features 0 and 1\)/);
  });

  it('names the parcel file when none of its parcels is on the items\' grid', async () => {
    // Danish parcels (GeoParquet, read by row-group bbox) against a Slovenian tile
    await expect(runParcelJob({ parcels: `${ROOT}/sample-data/parcels/dk-fiboa-2024.parquet`, idProperty: 'id', assets: ['red'] }, SI_ITEMS.slice(0, 1)))
      .rejects.toThrow(/dk-fiboa-2024\.parquet: none of its 100 parcels falls on the items' grid \(EPSG:32633/);
  });

  it('writes no rows for parcels outside every raster, and counts them in the item', async () => {
    // Prepare: one parcel inside the crop, one 100 km away
    const path = parcelsFile([{ id: 'in', ring: square(550000, 5095000) }, { id: 'far', ring: square(650000, 5095000) }]);
    // Act
    const { rows, item } = await run(path);
    // Assess
    expect(rows.map((r) => [r.parcel_id, r.nodata_count])).toEqual([['in', 0]]);
    expect(rows[0].count as number).toBeGreaterThan(0);
    expect(item.properties['eofn:parcels']).toBe(1);
    expect(item.properties['eofn:parcels_outside_raster']).toBe(1);
    expect(item.properties['eofn:parcels_without_pixels']).toBe(0);
  });

  it('names the file and the CRS when the CRS is unknown or unsupported', async () => {
    const unknown = parcelsFile([{ id: 'a', ring: square(550000, 5095000) }], 'urn:ogc:def:crs:EPSG::999999');
    await expect(run(unknown)).rejects.toThrow(/parcels\.geojson: CRS EPSG:999999 .*unsupported CRS EPSG:999999/);
    const custom = parcelsFile([{ id: 'a', ring: square(550000, 5095000) }], 'my-local-grid');
    await expect(run(custom)).rejects.toThrow(/parcels\.geojson: unknown CRS .*my-local-grid/);
  });

  it('rejects a file that is not a parcel file', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'eofn-bad-')), 'parcels.shp');
    writeFileSync(path, 'x');
    await expect(run(path)).rejects.toThrow(/parcels\.shp: unsupported parcel file/);
  });
});
