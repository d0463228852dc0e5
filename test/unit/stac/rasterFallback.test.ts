/**
 * rasterFallbackOf reads what a STAC item says about an asset's grid, in STAC 1.1 (CDSE) and 1.0
 * (Earth Search, the sample data) spellings, with the STAC nodata setupAssetOf found, so that a JPEG 2000
 * band without nodata or georeferencing boxes still reads right.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rasterFallbackOf } from '../../../functions/core/stac/rasterFallback.ts';

const CDSE = 'test/fixtures/jp2/cdse/';
const cdseItem = JSON.parse(readFileSync(CDSE + readdirSync(CDSE).find((f) => f.endsWith('.json'))!, 'utf8'));
const sampleItem = JSON.parse(readFileSync('sample-data/s2-l2a-33TWM/S2B_33TWM_20230810_0_L2A/S2B_33TWM_20230810_0_L2A.json', 'utf8'));

describe('rasterFallbackOf', () => {
  it('STAC 1.1 (CDSE): proj:code on the asset', () => {
    expect(rasterFallbackOf(cdseItem.assets.B04_10m, cdseItem, 0)).toEqual({
      nodata: 0, crs: 'EPSG:32633', transform: [120, 0, 511500, 0, -120, 5173140],
    });
  });

  it('STAC 1.0 (Earth Search): proj:epsg on the item, proj:transform on the asset', () => {
    expect(rasterFallbackOf(sampleItem.assets.red, sampleItem, 0)).toEqual({
      nodata: 0, crs: 'EPSG:32633', transform: [120, 0, 511500, 0, -120, 5173140],
    });
  });

  it('nodata alone, and nothing at all', () => {
    expect(rasterFallbackOf({ href: 'x' }, { properties: {} }, NaN)).toEqual({ nodata: NaN });
    expect(rasterFallbackOf({ href: 'x' }, { properties: {} }, undefined)).toBeUndefined();
  });

  it('a CRS without a transform is not a grid', () => {
    expect(rasterFallbackOf({ href: 'x', 'proj:code': 'EPSG:32633' }, { properties: {} }, undefined)).toBeUndefined();
  });
});
