/**
 * Reading the sample parcel files in their three formats: CRS, ids, geometry, and the same parcels whichever
 * format holds them.
 */
import { describe, expect, it } from 'vitest';
import { registerCoreStorages } from '../../../functions/core/io/registerCoreStorages.ts';
import { transformer } from '../../../functions/core/geo/crs.ts';
import { readParcelFile } from '../../../functions/core/vector/readParcelFile.ts';
import { toParcels } from '../../../functions/core/vector/toParcels.ts';
import { parseWkb } from '../../../functions/core/vector/parseWkb.ts';
import { ringSelfIntersection } from '../../../functions/core/vector/ringSelfIntersection.ts';

const DIR = `${import.meta.dirname}/../../../sample-data/parcels`;
registerCoreStorages();

describe('readParcelFile', () => {
  it('reads FlatGeobuf (EPSG:3794) and GeoJSON (WGS84) of the same Slovenian parcels', async () => {
    // Act
    const fgb = await readParcelFile(`${DIR}/si-eurocrops-2021.fgb`);
    const json = await readParcelFile(`${DIR}/si-eurocrops-2021.geojson`);
    // Assess
    expect([fgb.crs, json.crs]).toEqual(['EPSG:3794', 'EPSG:4326']);
    const a = toParcels(fgb, { idProperty: 'ID' }).parcels;
    const b = toParcels(json, { idProperty: 'ID' }).parcels;
    expect(a).toHaveLength(100);
    expect(new Set(a.map((p) => p.id))).toEqual(new Set(b.map((p) => p.id)));
    // The same parcel's first vertex, projected from WGS84 to the national grid, within a centimetre.
    const p = a[0], q = b.find((x) => x.id === p.id)!;
    const [x, y] = transformer('EPSG:4326', 'EPSG:3794')([q.polygons[0][0][0], q.polygons[0][0][1]]);
    expect(Math.abs(x - p.polygons[0][0][0])).toBeLessThan(0.01);
    expect(Math.abs(y - p.polygons[0][0][1])).toBeLessThan(0.01);
  });

  it('reads GeoParquet (brotli, EPSG:25832): geometries agree with the file\'s own bbox columns', async () => {
    const raw = await readParcelFile(`${DIR}/dk-fiboa-2024.parquet`);
    expect(raw.crs).toBe('EPSG:25832');
    expect(raw.features).toHaveLength(100);
    for (const f of raw.features) {
      const ring = (f.geometry!.coordinates as number[][][])[0];
      const xs = ring.map((c) => c[0]), ys = ring.map((c) => c[1]);
      const bbox = f.properties.bbox as { xmin: number; ymin: number; xmax: number; ymax: number };
      expect(Math.min(...xs)).toBeCloseTo(bbox.xmin, 3);
      expect(Math.max(...ys)).toBeCloseTo(bbox.ymax, 3);
    }
  });

  it('joins several id properties when one is not unique (Danish Marker: farm journal + field number)', async () => {
    const raw = await readParcelFile(`${DIR}/dk-marker-2026.geojson`);
    expect(() => toParcels(raw, { idProperty: 'Marknr' })).toThrow(/duplicate id/);
    const { parcels } = toParcels(raw, { idProperty: ['Journalnr', 'Marknr'] });
    expect(parcels[0].id).toBe('26-0023282/1-0');
  });
});

describe('parseWkb and ringSelfIntersection', () => {
  it('parses a little-endian WKB polygon', () => {
    // Prepare: POLYGON((0 0, 1 0, 1 1, 0 0))
    const b = new DataView(new ArrayBuffer(1 + 4 + 4 + 4 + 4 * 16));
    b.setUint8(0, 1); b.setUint32(1, 3, true); b.setUint32(5, 1, true); b.setUint32(9, 4, true);
    [[0, 0], [1, 0], [1, 1], [0, 0]].forEach(([x, y], i) => { b.setFloat64(13 + 16 * i, x, true); b.setFloat64(21 + 16 * i, y, true); });
    // Act + Assess
    expect(parseWkb(new Uint8Array(b.buffer))).toEqual({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] });
  });

  it('finds crossings, not shared vertices', () => {
    expect(ringSelfIntersection(Float64Array.of(0, 0, 2, 2, 2, 0, 0, 2, 0, 0))).toEqual([1, 1]);
    expect(ringSelfIntersection(Float64Array.of(0, 0, 2, 0, 2, 2, 0, 2, 0, 0))).toBeUndefined();
    // A spike back along the same edge overlaps itself.
    expect(ringSelfIntersection(Float64Array.of(0, 0, 4, 0, 2, 0, 2, 2, 0, 0))).toBeDefined();
  });
});
