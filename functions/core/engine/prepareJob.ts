/**
 * Validation, item resolution and the op's own checks: everything that can reject a job before any pixel
 * is read. The result is plain JSON, so the plan step and every partition can be handed it in a message.
 * A job whose `items` is a STAC API search keeps the items it found in `search.items`; preparing it again
 * (a re-run, a redelivered message) reuses them from the prepared job stored under its output, so all
 * partitions and every later run see the same items.
 *
 * @example
 * const prepared = await prepareJob(raw, 'jobs/ndvi.json');
 */
import { createHash } from 'node:crypto';
import { InputError } from '../errors.ts';
import { resolveHref } from '../io/storage.ts';
import { operationOf } from '../ops/registry.ts';
import { isSearch } from '../contract/stacSearchSchema.ts';
import { canonicalJson, validateJob, type ValidJob } from '../contract/validateJob.ts';
import { resolveItems, resolveSearchedItems, type ResolvedItem } from '../stac/resolveItems.ts';
import { searchStac } from '../stac/searchStac.ts';
import { isTiled, type TiledSetup, type TileSetup } from '../ops/tiles/tiledSetup.ts';
import type { PreparedJob, SearchRecord } from './preparedJob.ts';
import { loadPrepared, loadSearchItems, preparedRefOf } from './storedJob.ts';
import { tileItems } from './tileItems.ts';

export type { PreparedJob, SearchRecord } from './preparedJob.ts';

export interface PrepareOptions {
  /**
   * A multi-tile job of more tiles than this is prepared as its tile list alone (each tile's setup absent),
   * to be prepared and planned one tile per `plan-tile` message; it keeps `base` for them.
   */
  deferTilesOver?: number;
}

export async function prepareJob(raw: unknown, base?: string, options: PrepareOptions = {}): Promise<PreparedJob> {
  const job = validateJob(raw);
  const outputHref = resolveHref(job.output, base).replace(/\/+$/, '');
  let items: ResolvedItem[];
  let search: PreparedJob['search'];
  if (isSearch(job.items)) {
    search = (await searchedBefore(job, outputHref)) ?? (await runSearch(job));
    items = resolveSearchedItems(search.items!);
  } else {
    items = await resolveItems(job.items, base);
  }
  // The product's STAC item needs a datetime or a range, and only the inputs can give it one.
  if (!items.some((i) => i.datetime)) {
    throw new InputError('items', `none of the ${items.length} item(s) has a date: a GeoTIFF needs TIFFTAG_DATETIME, ACQUISITION_DATE or SECOND_DATE in its metadata, or give a STAC item with properties.datetime`);
  }
  const { setup, deferred } = await prepareSetup(job, items, base, options);
  const inputs = items.map((i) => ({ id: i.id, href: i.href, datetime: i.datetime }));
  const partsKey = createHash('sha256').update(canonicalJson({ job, inputs, outputHref })).digest('hex').slice(0, 16);
  return { job, outputHref, inputs, ...(search ? { search } : {}), setup, partsKey, ...(deferred && base !== undefined ? { base } : {}) };
}

async function prepareSetup(job: ValidJob, items: ResolvedItem[], base: string | undefined, options: PrepareOptions): Promise<{ setup: unknown; deferred?: boolean }> {
  const op = operationOf(job.op);
  if (options.deferTilesOver === undefined || !op.tiles) return { setup: await op.prepare(job, items, base) };
  const list = await op.tiles.group(job, items, base);
  if (!list) return { setup: await op.prepare(job, items, base) };
  if (list.tiles.length > options.deferTilesOver) {
    // What every tile needs (an unindexed parcel file converted) is done here once, not by each plan-tile.
    const shared = await op.tiles.prepareShared?.(job, base);
    return { setup: shared === undefined ? list : { ...list, shared }, deferred: true };
  }
  const tiles = [];
  for (const self of list.tiles.keys()) tiles.push(await op.tiles.prepareTile(job, items, base, list, self));
  return { setup: { kind: 'tiles', tiles } };
}

/**
 * Tile `key` of a job prepared as its tile list (`deferTilesOver`): its own items resolved again (`tileItems`:
 * only theirs are read) and the op's prepare run for that tile alone, with what the jobs stage prepared for
 * every tile (`list.shared`).
 */
export async function prepareTileOf(prepared: PreparedJob, key: string): Promise<TileSetup> {
  const op = operationOf(prepared.job.op);
  const list = prepared.setup as TiledSetup;
  const self = isTiled(list) ? list.tiles.findIndex((t) => t.key === key) : -1;
  if (!op.tiles || self < 0) throw new InputError('tile', `job ${prepared.job.id} has no tile ${key}`);
  const items = await tileItems(prepared, list.tiles[self]);
  return op.tiles.prepareTile(prepared.job, items, prepared.base, list, self);
}

async function runSearch(job: ValidJob): Promise<SearchRecord> {
  if (!isSearch(job.items)) throw new Error('not a search');
  const result = await searchStac(job.items.search);
  if (!result.items.length) {
    throw new InputError('items.search', `the search at ${result.endpoint} found no items; check collections, bbox/intersects, datetime and filter`);
  }
  return { endpoint: result.endpoint, pages: result.pages, searched: new Date().toISOString(), found: result.items.length, items: result.items };
}

/** The items an earlier preparation of the same job found, from its stored prepared job. */
async function searchedBefore(job: ValidJob, outputHref: string): Promise<SearchRecord | undefined> {
  try {
    const { prepared } = await loadPrepared(preparedRefOf(outputHref));
    // The same job (not just the same id: an explicit id may be reused for another search).
    if (canonicalJson(prepared.job) !== canonicalJson(job) || !prepared.search) return undefined;
    return { ...prepared.search, items: prepared.search.items ?? (await loadSearchItems(prepared.search.itemsRef!)) };
  } catch {
    return undefined; // none yet (or unreadable): search
  }
}
