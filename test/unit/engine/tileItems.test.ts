/**
 * A tile of a job prepared as its tile list gets its own items and reads no other: the items are those,
 * in the order and with the job positions, that resolving every item and keeping the tile's gives, for
 * items given by relative href (against the job file) and inline; only the tile's item files are read.
 * An item file rewritten since the job was prepared (another id) is refused, not silently left out.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerLocalStorages } from '../../../functions/adapters/local/registerLocalStorages.ts';
import { prepareJob } from '../../../functions/core/engine/index.ts';
import { tileItems } from '../../../functions/core/engine/tileItems.ts';
import { FileStorage } from '../../../functions/core/io/fileStorage.ts';
import type { TiledSetup } from '../../../functions/core/ops/tiles/tiledSetup.ts';
import { resolveItems } from '../../../functions/core/stac/resolveItems.ts';
import { makeFanoutInputs, type FanoutInputs } from '../../helpers/fanout/fanoutInputs.ts';
import { registerSchemeOverFiles } from '../../helpers/schemeOverFiles.ts';

let dir: string;
let inputs: FanoutInputs;
const reads: string[] = [];

beforeAll(async () => {
  registerLocalStorages();
  registerSchemeOverFiles('tileitems', new FileStorage(), (read) => read, { readAll: (href) => { reads.push(href); } });
  dir = await mkdtemp(join(tmpdir(), 'eofn-tile-items-'));
  inputs = await makeFanoutInputs(dir, 1, 5);
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The job's items: relative hrefs under the counting scheme, the fourth one inline (asset hrefs absolute). */
async function mixedJob(output: string) {
  const job = inputs.job('.', output, 'tile-items') as { items: unknown[] };
  const inlined = job.items[3] as string;
  const item = JSON.parse(await readFile(join(dir, inlined), 'utf8'));
  for (const asset of Object.values(item.assets) as { href: string }[]) asset.href = join(dir, inlined, '..', asset.href);
  job.items[3] = item;
  return { job, base: `tileitems:/${dir}/job.json`, inlineId: item.id as string };
}

describe('the items of one tile of a fanned-out job', () => {
  it('are those of resolving every item and keeping the tile\'s, in the same order; only its own files are read', async () => {
    // Prepare
    const { job, base, inlineId } = await mixedJob(join(dir, 'out'));
    const prepared = await prepareJob(job, base, { deferTilesOver: 1 });
    const list = prepared.setup as TiledSetup;
    const all = await resolveItems(prepared.job.items as never, base);
    // Act
    const got = [];
    for (const tile of list.tiles) {
      reads.length = 0;
      got.push({ tile, items: await tileItems(prepared, tile), reads: [...reads] });
    }
    // Assess
    expect(list.tiles).toHaveLength(5);
    for (const { tile, items, reads: read } of got) {
      const own = new Set(tile.items);
      expect(items).toEqual(all.filter((i) => own.has(i.id)));
      expect(items).toHaveLength(2);
      const files = items.filter((i) => i.id !== inlineId).map((i) => i.href);
      expect([...read].sort()).toEqual([...files].sort());
    }
    expect(got.flatMap((g) => g.items.map((i) => i.index)).sort((a, b) => a - b)).toEqual([...job.items.keys()]);
  });

  it('refuses an item file whose id changed since the job was prepared', async () => {
    // Prepare
    const { job, base } = await mixedJob(join(dir, 'out-changed'));
    const prepared = await prepareJob(job, base, { deferTilesOver: 1 });
    const tile = (prepared.setup as TiledSetup).tiles[0];
    const href = join(dir, tile.items[0], `${tile.items[0]}.json`);
    const original = await readFile(href, 'utf8');
    await writeFile(href, JSON.stringify({ ...JSON.parse(original), id: 'renamed' }));
    try {
      // Act
      const result = tileItems(prepared, tile);
      // Assess
      await expect(result).rejects.toThrow(`tile ${tile.key}: the items read now are not those the job was prepared with (missing ${tile.items[0]})`);
    } finally {
      await writeFile(href, original);
    }
  });
});
