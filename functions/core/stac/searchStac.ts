/**
 * Runs a STAC API search to the end: follows `next` links (GET and POST) until a page without one or
 * without new items, drops items already seen (same collection and id), and stops at `maxItems`, either with an error (a job must not silently lose items) or,
 * for the poller, by truncating (it sorts by datetime and resumes from its watermark). Requests go through
 * the registered `https` storage, so its retries and limits apply. Errors name the URL and never echo the
 * answer's body.
 *
 * @example
 * const { items } = await searchStac({ url: 'https://stac.dataspace.copernicus.eu/v1', collections: ['sentinel-2-l2a'],
 *   bbox: [9.0, 47.0, 9.1, 47.1], datetime: '2020-07-01T00:00:00Z/2020-07-05T23:59:59Z' });
 */
import { InputError } from '../errors.ts';
import { storageFor } from '../io/storage.ts';
import { StacItemSchema, type StacItem } from '../contract/stacItemSchema.ts';
import { DEFAULT_MAX_ITEMS, DEFAULT_PAGE_LIMIT, type StacSearch } from '../contract/stacSearchSchema.ts';
import { firstRequest, nextRequest, searchEndpoint, type NextLink, type SearchRequest } from './searchRequest.ts';

export interface SearchOptions {
  /** Where errors point (`items.search`, `EOFN_STAC_API_URL`). */
  where?: string;
  /** Past `maxItems`: `error` (jobs, the default) or `truncate` (keep the first `maxItems`). */
  overflow?: 'error' | 'truncate';
}

export interface SearchResult {
  /** The endpoint searched. */
  endpoint: string;
  items: StacItem[];
  /** Pages requested. */
  pages: number;
  /** True when `overflow: 'truncate'` cut the result at `maxItems`. */
  truncated: boolean;
}

const ACCEPT = 'application/geo+json, application/json';

export async function searchStac(search: StacSearch, opts: SearchOptions = {}): Promise<SearchResult> {
  const where = opts.where ?? 'items.search';
  const maxItems = search.maxItems ?? DEFAULT_MAX_ITEMS;
  const endpoint = searchEndpoint(search.url);
  const origin = new URL(endpoint).origin;
  const items = new Map<string, StacItem>();
  const sent = new Set<string>();
  let request: SearchRequest | undefined = firstRequest(search, search.limit ?? Math.min(DEFAULT_PAGE_LIMIT, maxItems + 1));
  let pages = 0;
  while (request) {
    const signature = `${request.method} ${request.href} ${JSON.stringify(request.body ?? null)}`;
    if (sent.has(signature)) throw new InputError(where, `${request.href}: the "next" link repeats an earlier request; the API pages in a loop`);
    sent.add(signature);
    const page = await fetchPage(request, where, ++pages);
    const matched = typeof page.numberMatched === 'number' ? page.numberMatched : page.context?.matched;
    if (opts.overflow !== 'truncate' && typeof matched === 'number' && matched > maxItems) throw tooMany(where, endpoint, maxItems, matched);
    let added = 0;
    for (const [i, feature] of page.features.entries()) {
      const parsed = StacItemSchema.safeParse(feature);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new InputError(where, `${request.href} (page ${pages}) features[${i}] is not a STAC item: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
      }
      const key = `${String(parsed.data.collection ?? '')}/${parsed.data.id}`;
      if (items.has(key)) continue;
      if (items.size === maxItems) {
        if (opts.overflow === 'truncate') return { endpoint, items: [...items.values()], pages, truncated: true };
        throw tooMany(where, endpoint, maxItems);
      }
      items.set(key, parsed.data);
      added++;
    }
    const next = page.links?.find((l) => l?.rel === 'next');
    const full = opts.overflow === 'truncate' && items.size === maxItems;
    // Done without a next link, or after a page that brought nothing new (an empty page, or a server paging
    // in circles). numberMatched is not trusted to end a search: some APIs only estimate it.
    const done = !next || added === 0;
    if (full && !done) return { endpoint, items: [...items.values()], pages, truncated: true };
    request = done ? undefined : nextRequest(next, request, origin, where);
  }
  return { endpoint, items: [...items.values()], pages, truncated: false };
}

interface Page {
  features: unknown[];
  links?: NextLink[];
  numberMatched?: unknown;
  context?: { matched?: number };
}

async function fetchPage(request: SearchRequest, where: string, n: number): Promise<Page> {
  let bytes: Uint8Array;
  try {
    const storage = storageFor(request.href);
    if (request.method === 'GET') {
      bytes = await storage.readAll(request.href);
    } else {
      if (!storage.post) throw new InputError(request.href, 'this storage cannot send a POST search');
      bytes = await storage.post(request.href, new TextEncoder().encode(JSON.stringify(request.body)), { 'content-type': 'application/json', accept: ACCEPT });
    }
  } catch (e) {
    throw new InputError(where, `STAC API search failed (page ${n}): ${e instanceof Error ? e.message : String(e)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    // JSON.parse quotes the text it choked on: say what failed, not what the server sent.
    throw new InputError(where, `${request.href} (page ${n}) answered with something that is not JSON (${bytes.byteLength} bytes)`);
  }
  const page = json as Page | null;
  if (!page || typeof page !== 'object' || !Array.isArray(page.features)) {
    throw new InputError(where, `${request.href} (page ${n}) did not answer with a STAC ItemCollection (no "features" list)`);
  }
  if (page.links !== undefined && !Array.isArray(page.links)) page.links = undefined;
  return page;
}

function tooMany(where: string, endpoint: string, maxItems: number, matched?: number): InputError {
  const found = matched === undefined ? `more than ${maxItems} items` : `${matched} items`;
  return new InputError(where, `the search at ${endpoint} found ${found}, over maxItems (${maxItems}): `
    + 'narrow it (bbox, datetime, filter) or raise maxItems');
}
