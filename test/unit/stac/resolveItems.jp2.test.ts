/**
 * A job may list a JPEG 2000 band file as an item, as it may a GeoTIFF: one asset `data`, named after the
 * file, undated (JP2 carries no acquisition metadata), and a file that is not an image fails naming the item.
 */
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerCoreStorages } from '../../../functions/core/io/registerCoreStorages.ts';
import { resolveItems } from '../../../functions/core/stac/resolveItems.ts';

beforeAll(() => registerCoreStorages());

describe('resolveItems with JPEG 2000 hrefs', () => {
  it('an href to a .jp2 is an item with one asset "data"', async () => {
    // Prepare
    const href = resolve('test/fixtures/jp2/real/T55HFA-B04.jp2');
    // Act
    const [item] = await resolveItems([href], undefined);
    // Assess
    expect(item).toMatchObject({ id: 'T55HFA-B04', datetime: null, assets: { data: { href } } });
  });

  it('a .jp2 that is not one fails naming the item', async () => {
    await expect(resolveItems([resolve('package.json').replace(/json$/, 'jp2')], undefined)).rejects.toThrow(/^items\[0\]: .*package\.jp2: file not found/);
  });
});
