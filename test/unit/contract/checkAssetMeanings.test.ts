/** Items from several collections must agree on what each asset key means (bad input: a clear message). */
import { describe, expect, it } from 'vitest';
import { checkAssetMeanings } from '../../../functions/core/stac/checkAssetMeanings.ts';
import type { ResolvedItem } from '../../../functions/core/stac/resolveItems.ts';

const item = (index: number, collection: string | undefined, red: Record<string, unknown>): ResolvedItem => ({
  id: `i${index}`, index, datetime: null, properties: {}, ...(collection ? { collection } : {}),
  assets: { red: { href: `r${index}.tif`, ...red }, nir: { href: `n${index}.tif` } },
});

describe('checkAssetMeanings', () => {
  it('names the key, the collections and what each says when an asset means different bands', () => {
    const items = [
      item(0, 'sentinel-2-l2a', { 'eo:bands': [{ name: 'B04', common_name: 'red' }] }),
      item(1, 'sentinel-2-l2a', { 'eo:bands': [{ name: 'B04', common_name: 'red' }] }),
      item(2, 'my-s2-reprocessing', { 'eo:bands': [{ name: 'B05', common_name: 'rededge' }] }),
    ];
    expect(() => checkAssetMeanings(items, ['red', 'nir'])).toThrow(
      'asset "red": means different bands in the job\'s collections: collection "sentinel-2-l2a" (items[0] i0): red; collection "my-s2-reprocessing" (items[2] i2): rededge');
  });

  it('accepts collections that agree (STAC 1.1 bands included) or say nothing, and one collection whatever it says', () => {
    expect(() => checkAssetMeanings([
      item(0, 'a', { 'eo:bands': [{ common_name: 'red' }] }), item(1, 'b', { bands: [{ 'eo:common_name': 'Red' }] }), item(2, 'c', {}),
    ], ['red'])).not.toThrow();
    expect(() => checkAssetMeanings([item(0, 'a', { title: 'B04' }), item(1, 'a', { title: 'B05' })], ['red'])).not.toThrow();
  });
});
