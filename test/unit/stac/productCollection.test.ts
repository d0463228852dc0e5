/**
 * A job that writes several items (one per tile) gets a collection: valid STAC 1.1 for the independent
 * validator, with links that resolve both ways from where each file is written.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { productItem } from '../../../functions/core/engine/productItem.ts';
import { productCollection } from '../../../functions/core/stac/productCollection.ts';
import { SAMPLE_ITEM_IDS, sampleItemPath } from '../../helpers/sampleJobs.ts';
import { stacFileProblems } from '../../helpers/stacValidator.ts';

function tileItem(outputHref: string, originX: number, k: number) {
  const grid = { crs: 'EPSG:32633', width: 100, height: 100, originX, originY: 5100000, resX: 10, resY: 10 };
  const input = { id: SAMPLE_ITEM_IDS[k], href: sampleItemPath(SAMPLE_ITEM_IDS[k]), datetime: `2023-08-1${k}T10:00:00Z` };
  const prepared = { job: { id: `tile-${k}`, op: 'tile-reduce', params: {} }, outputHref, inputs: [input], setup: {} };
  const summary = { grid, assets: { result: { href: './result.tif', type: 'image/tiff', roles: ['data'] } } };
  return productItem(prepared as never, summary as never);
}

describe('product collection', () => {
  it('links its items and back, spans their extent, and passes the STAC validator from where it is written', async () => {
    // Prepare: two tile items, written under their own folders of the product
    const out = await mkdtemp(join(tmpdir(), 'eofn-collection-'));
    const tiles = [['33TWM', 500000], ['33TXM', 600000]] as const;
    const inputs = tiles.map(([tile, x], k) => ({ item: tileItem(join(out, tile), x, k), href: join(out, tile, 'item.json') }));
    // Act
    const { collection, items } = productCollection({ id: 'ndvi-tiles', description: 'Median NDVI per tile', href: join(out, 'collection.json'), items: inputs });
    await writeFile(join(out, 'collection.json'), JSON.stringify(collection));
    for (const [k, [tile]] of tiles.entries()) {
      await mkdir(join(out, tile), { recursive: true });
      await writeFile(join(out, tile, 'result.tif'), '');
      await writeFile(join(out, tile, 'item.json'), JSON.stringify(items[k]));
    }
    // Assess
    expect(await stacFileProblems(join(out, 'collection.json'))).toEqual([]);
    for (const [tile] of tiles) expect(await stacFileProblems(join(out, tile, 'item.json'))).toEqual([]);
    expect(collection.links.filter((l: { rel: string }) => l.rel === 'item').map((l: { href: string }) => l.href)).toEqual(['./33TWM/item.json', './33TXM/item.json']);
    expect(items[0].links.find((l: { rel: string }) => l.rel === 'collection').href).toBe('../collection.json');
    expect(items[0].collection).toBe('ndvi-tiles');
    expect(collection.extent.spatial.bbox[0][0]).toBeLessThan(items[1].bbox[0]);
    expect(collection.extent.temporal.interval[0]).toEqual(['2023-08-10T10:00:00Z', '2023-08-11T10:00:00Z']);
  });
});
