/** The radiometry record of each op's setup, and the lines a local run prints from it. */
import { describe, expect, it } from 'vitest';
import { describeRadiometry, radiometryOfSetup } from '../../../functions/core/ops/radiometryRecord.ts';

const c1 = { key: 'red', matchedBy: 'key' as const, scale: 0.0001, offset: -0.1, nodata: 0, source: 'raster:bands (STAC 1.0)' };
const cdse = { ...c1, key: 'B04_10m', matchedBy: 'common name' as const, source: 'raster:scale/raster:offset (STAC 1.1)' };
const scl = { key: 'scl', matchedBy: 'key' as const, scale: 1, offset: 0, source: 'class layer: never scaled' };

describe('radiometry record', () => {
  it('drops hrefs from tile-reduce/composite/parcel setups and reads coherence setups', () => {
    const setup = { items: [{ id: 'a', index: 0, datetime: null, assets: { red: { href: 'x.tif', ...c1 } } }] };
    expect(radiometryOfSetup(setup)).toEqual([{ item: 'a', assets: { red: c1 } }]);
    const coherence = { asset: 'data', items: [{ id: 'c', href: 'c.tif', asset: scl }] };
    expect(radiometryOfSetup(coherence)).toEqual([{ item: 'c', assets: { data: scl } }]);
    expect(radiometryOfSetup({})).toBeUndefined();
  });

  it('says per treatment which assets (and keys) of how many items it applied to', () => {
    const record = [
      { item: 'es-1', assets: { red: c1, scl } },
      { item: 'es-2', assets: { red: c1, scl } },
      { item: 'cdse-1', assets: { red: cdse, scl: { ...scl, key: 'SCL_20m' } } },
    ];
    expect(describeRadiometry(record)).toEqual([
      'red: x 0.0001 - 0.1 (raster:bands (STAC 1.0)) on 2 items',
      'scl, scl=SCL_20m: digital numbers (class layer: never scaled) on 3 items',
      'red=B04_10m: x 0.0001 - 0.1 (raster:scale/raster:offset (STAC 1.1)) on 1 item',
    ]);
  });
});
