/** Asset references resolve by key, common name or Sentinel-2 band name, on real items of each archive. */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../functions/core/errors.ts';
import { findAsset, resolutionOf, sentinel2Band } from '../../../functions/core/stac/findAsset.ts';
import { fixtureItem, itemWith } from './stacFixtures.ts';

describe('findAsset on real items', () => {
  it.each([
    ['earth-search-c1', 'red', 'red', 'key'],
    ['earth-search-c1', 'B04', 'red', 'Sentinel-2 band'],
    ['earth-search-legacy', 'red', 'red', 'key'],
    ['earth-search-legacy', 'scl', 'scl', 'key'],
    ['cdse', 'red', 'B04_10m', 'common name'],
    ['cdse', 'nir', 'B08_10m', 'common name'],
    ['cdse', 'nir08', 'B8A_20m', 'common name'],
    ['cdse', 'scl', 'SCL_20m', 'Sentinel-2 band'],
    ['cdse', 'B04', 'B04_10m', 'Sentinel-2 band'],
    ['cdse', 'B04_20m', 'B04_20m', 'key'],
    ['planetary-computer', 'red', 'B04', 'common name'],
    ['planetary-computer', 'scl', 'SCL', 'Sentinel-2 band'],
  ] as const)('%s: "%s" is %s (by %s)', (fixture, name, key, matchedBy) => {
    // Act
    const found = findAsset(fixtureItem(fixture), name);
    // Assess
    expect({ key: found.key, matchedBy: found.matchedBy }).toEqual({ key, matchedBy });
  });

  it('never takes a band of a multi-band asset (TCI is not "red")', () => {
    const cdse = fixtureItem('cdse');
    delete cdse.assets.B04_10m; delete cdse.assets.B04_20m; delete cdse.assets.B04_60m;
    // Act + Assess: without the B04 files, red resolves through the band name and finds nothing: not TCI
    expect(() => findAsset(cdse, 'red')).toThrow(/asset "red" not found; the item has: B08_10m, .*TCI_10m/);
  });

  it('names both candidates when two assets match at the same resolution', () => {
    // Two copies of one band at one resolution (as Earth Search legacy keeps a COG and ESA's JP2 of each band).
    const item = itemWith({
      b4cog: { gsd: 10, 'eo:bands': [{ name: 'B04', common_name: 'red' }] },
      b4jp2: { gsd: 10, 'eo:bands': [{ name: 'B04', common_name: 'red' }] },
      b4coarse: { gsd: 20, 'eo:bands': [{ name: 'B04', common_name: 'red' }] },
    });
    // Act
    let error: unknown;
    try { findAsset(item, 'red'); } catch (e) { error = e; }
    // Assess
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe('items[3] (item-a): asset "red" is ambiguous: it matches "b4cog", "b4jp2" by common name (all at 10 m); name one of them by its key');
  });

  it('takes the finest resolution from gsd, raster spatial_resolution, proj:transform or a _20m key', () => {
    expect(resolutionOf('x', { href: 'x', gsd: 10 })).toBe(10);
    expect(resolutionOf('x', { href: 'x', 'raster:bands': [{ spatial_resolution: 20 }] })).toBe(20);
    expect(resolutionOf('x', { href: 'x', 'proj:transform': [60, 0, 0, 0, -60, 0] })).toBe(60);
    expect(resolutionOf('SCL_20m', { href: 'x' })).toBe(20);
    expect(resolutionOf('data', { href: 'x' })).toBe(Number.POSITIVE_INFINITY);
  });

  it('reads Sentinel-2 band names in their usual spellings', () => {
    expect(['B4', 'b04', 'B8a', 'b8A', 'scl', 'red', 'swir16', 'rededge'].map(sentinel2Band))
      .toEqual(['B04', 'B04', 'B8A', 'B8A', 'SCL', 'B04', 'B11', undefined]);
  });
});
