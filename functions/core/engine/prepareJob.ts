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
import type { PreparedJob, SearchRecord } from './preparedJob.ts';
import { loadPrepared, loadSearchItems, preparedRefOf } from './storedJob.ts';

export type { PreparedJob, SearchRecord } from './preparedJob.ts';

export async function prepareJob(raw: unknown, base?: string): Promise<PreparedJob> {
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
  const setup = await operationOf(job.op).prepare(job, items, base);
  const inputs = items.map((i) => ({ id: i.id, href: i.href, datetime: i.datetime }));
  const partsKey = createHash('sha256').update(canonicalJson({ job, inputs, outputHref })).digest('hex').slice(0, 16);
  return { job, outputHref, inputs, ...(search ? { search } : {}), setup, partsKey };
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
