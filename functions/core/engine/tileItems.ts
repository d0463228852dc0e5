/**
 * The items of one tile of a job prepared as its tile list, for its `plan-tile`: only the tile's own item
 * JSON is read again (a country's tile has a few dozen of the job's thousand items), the others are not.
 * Which of the job's `items` are the tile's comes from the jobs stage's own resolution: `inputs` maps each
 * item href to the id it had, and the tile list names its items by id; an inline item carries its id. A
 * search job's items are stored with the job, so nothing is fetched for them.
 *
 * @example
 * const items = await tileItems(prepared, list.tiles[3]); // the tile's items, in datetime order
 */
import { InputError } from '../errors.ts';
import { resolveHref } from '../io/storage.ts';
import { isSearch } from '../contract/stacSearchSchema.ts';
import type { ItemRef } from '../contract/jobSchema.ts';
import { resolveItems, resolveSearchedItems, type ResolvedItem } from '../stac/resolveItems.ts';
import type { TileSetup } from '../ops/tiles/tiledSetup.ts';
import type { PreparedJob } from './preparedJob.ts';
import { loadSearchItems } from './storedJob.ts';

export async function tileItems(prepared: PreparedJob, tile: Pick<TileSetup, 'key' | 'items'>): Promise<ResolvedItem[]> {
  const { job, search, base } = prepared;
  const own = new Set(tile.items);
  if (isSearch(job.items)) {
    const all = resolveSearchedItems(search?.items ?? (await loadSearchItems(search!.itemsRef!)));
    return all.filter((i) => own.has(i.id));
  }
  const positions = positionsOf(job.items, prepared.inputs, base, own);
  const items = await resolveItems(job.items, base, positions);
  // An item file rewritten since the job was prepared (another id) would silently leave the tile short.
  const found = new Set(items.map((i) => i.id));
  const missing = tile.items.filter((id) => !found.has(id));
  if (missing.length || items.length !== own.size) {
    throw new InputError('items', `tile ${tile.key}: the items read now are not those the job was prepared with (${missing.length ? `missing ${missing.slice(0, 3).join(', ')}` : 'other ids'}); an item file changed, submit the job again`);
  }
  return items;
}

/** Positions in the job's `items` of the items with these ids. */
function positionsOf(refs: ItemRef[], inputs: PreparedJob['inputs'], base: string | undefined, ids: Set<string>): Set<number> {
  const idOfHref = new Map(inputs.flatMap((i) => (i.href === undefined ? [] : [[i.href, i.id] as const])));
  const positions = new Set<number>();
  refs.forEach((ref, index) => {
    const id = typeof ref === 'string' ? idOfHref.get(resolveHref(ref, base)) : (ref as { id?: string }).id;
    if (id !== undefined && ids.has(id)) positions.add(index);
  });
  return positions;
}
