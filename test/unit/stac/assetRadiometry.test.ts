/** Scale, offset and nodata from the STAC metadata of each archive, and the cases where none applies. */
import { describe, expect, it } from 'vitest';
import { radiometryOf } from '../../../functions/core/stac/assetRadiometry.ts';
import { findAsset } from '../../../functions/core/stac/findAsset.ts';
import type { ResolvedItem } from '../../../functions/core/stac/resolveItems.ts';
import { fixtureItem, itemWith } from './stacFixtures.ts';

function radiometry(item: ResolvedItem, name: string, mode: 'metadata' | 'raw' = 'metadata') {
  const { key, asset } = findAsset(item, name);
  return radiometryOf(item, key, asset, mode);
}

describe('radiometry from real STAC items', () => {
  it('Earth Search C1 (STAC 1.0 raster:bands): scale 0.0001, offset -0.1, nodata 0', () => {
    expect(radiometry(fixtureItem('earth-search-c1'), 'red'))
      .toEqual({ scale: 0.0001, offset: -0.1, nodata: 0, source: 'raster:bands (STAC 1.0)' });
  });

  it('CDSE (STAC 1.1 asset-level raster:scale/raster:offset and nodata)', () => {
    expect(radiometry(fixtureItem('cdse'), 'nir'))
      .toEqual({ scale: 0.0001, offset: -0.1, nodata: 0, source: 'raster:scale/raster:offset (STAC 1.1)' });
  });

  it('Earth Search legacy with boa_offset_applied: the scale only, although raster:bands says offset -0.1', () => {
    const item = fixtureItem('earth-search-legacy');
    expect(item.assets.red['raster:bands']).toEqual([expect.objectContaining({ offset: -0.1 })]);
    const r = radiometry(item, 'red');
    expect(r).toMatchObject({ scale: 0.0001, offset: 0, nodata: 0 });
    expect(r.source).toBe('raster:bands (STAC 1.0), offset not applied: earthsearch:boa_offset_applied is true (already in the pixels)');
  });

  it('a Sentinel-2 item of baseline < 04.00 has no BOA_ADD_OFFSET in its pixels, whatever -0.1 its metadata shows', () => {
    const item = fixtureItem('earth-search-legacy');
    item.properties = { ...item.properties, 's2:processing_baseline': '03.01', 'earthsearch:boa_offset_applied': false };
    const r = radiometry(item, 'red');
    expect(r).toMatchObject({ scale: 0.0001, offset: 0 });
    expect(r.source).toBe('raster:bands (STAC 1.0), offset not applied: processing baseline 03.01 < 04.00 has no BOA_ADD_OFFSET');
    // Not Sentinel-2, or another offset: the metadata as it is.
    const other = itemWith({ b: { 'raster:scale': 2, 'raster:offset': -0.1 } }, { 'processing:version': '01.00' });
    expect(radiometry(other, 'b')).toMatchObject({ scale: 2, offset: -0.1 });
  });

  it("…but ESA's original JP2 of the same item still carries the offset", () => {
    expect(radiometry(fixtureItem('earth-search-legacy'), 'red-jp2')).toMatchObject({ scale: 0.0001, offset: -0.1 });
  });

  it('never scales class layers: SCL by name (Earth Search), classification:classes (CDSE), a classification role', () => {
    expect(radiometry(fixtureItem('earth-search-c1'), 'scl')).toEqual({ scale: 1, offset: 0, nodata: 0, source: 'class layer: never scaled' });
    expect(radiometry(fixtureItem('cdse'), 'scl')).toMatchObject({ scale: 1, offset: 0, nodata: 0 });
    const classified = itemWith({ landcover: { 'raster:scale': 0.5, 'classification:classes': [{ value: 1, name: 'crop' }] } });
    expect(radiometry(classified, 'landcover')).toMatchObject({ scale: 1, offset: 0 });
    const byRole = itemWith({ mask: { roles: ['data', 'classification'], 'raster:bands': [{ scale: 0.01 }] } });
    expect(radiometry(byRole, 'mask')).toMatchObject({ scale: 1, offset: 0, source: 'class layer: never scaled' });
  });

  it('keeps digital numbers without metadata, warning when the processing baseline implies an offset', () => {
    expect(radiometry(fixtureItem('planetary-computer'), 'red')).toEqual({
      scale: 1, offset: 0,
      source: 'no scale/offset in the metadata (processing baseline 04.00: the pixels may carry BOA_ADD_OFFSET)',
    });
    expect(radiometry(itemWith({ data: {} }), 'data')).toEqual({ scale: 1, offset: 0, source: 'no scale/offset in the metadata' });
  });

  it('params.radiometry "raw" keeps digital numbers (and the STAC nodata)', () => {
    expect(radiometry(fixtureItem('earth-search-c1'), 'red', 'raw')).toMatchObject({ scale: 1, offset: 0, nodata: 0 });
  });

  it('reads only one of scale/offset, STAC 1.1 band-level fields, and nodata written as "nan"', () => {
    expect(radiometry(itemWith({ a: { 'raster:bands': [{ scale: 2 }] } }), 'a')).toMatchObject({ scale: 2, offset: 0 });
    expect(radiometry(itemWith({ a: { bands: [{ 'raster:offset': 5, nodata: 'nan' }] } }), 'a'))
      .toMatchObject({ scale: 1, offset: 5, nodata: Number.NaN, source: 'bands[0] raster:scale/raster:offset (STAC 1.1)' });
  });

  it('rejects a scale that is not a number, or 0, naming the item, asset and field', () => {
    expect(() => radiometry(itemWith({ red: { 'raster:scale': '0.0001' } }), 'red'))
      .toThrow('items[3] (item-a) asset "red" raster:scale: expected a finite number, got "0.0001"');
    expect(() => radiometry(itemWith({ red: { 'raster:bands': [{ scale: 0 }] } }), 'red')).toThrow(/asset "red" scale: scale 0/);
  });
});
