/**
 * The first request of a STAC API search, and the request a `next` link asks for. POST bodies and GET query
 * strings follow the STAC API Item Search spec; a POST `next` link's `body` replaces the current body, or is
 * merged into it when the link says `"merge": true` (STAC API paging). A `next` link to another origin than
 * the search's is refused: a catalogue cannot send the function to an arbitrary host.
 *
 * @example
 * const first = firstRequest({ url: 'https://earth-search.aws.element84.com/v1', collections: ['sentinel-2-c1-l2a'] }, 100);
 * // { method: 'POST', href: 'https://earth-search.aws.element84.com/v1/search', body: { collections: [...], limit: 100 } }
 */
import { InputError } from '../errors.ts';
import type { StacSearch } from '../contract/stacSearchSchema.ts';

export interface SearchRequest {
  method: 'GET' | 'POST';
  href: string;
  body?: Record<string, unknown>;
}

export interface NextLink {
  rel?: string;
  href?: unknown;
  method?: unknown;
  body?: unknown;
  merge?: unknown;
}

/** Where the search is sent: `/search` of an API root, or the URL itself when it is an endpoint already. */
export function searchEndpoint(url: string): string {
  const u = new URL(url);
  const path = u.pathname.replace(/\/+$/, '');
  u.pathname = /\/(search|items)$/.test(path) ? path : `${path}/search`;
  return u.toString();
}

export function firstRequest(search: StacSearch, limit: number): SearchRequest {
  const href = searchEndpoint(search.url);
  const itemsEndpoint = new URL(href).pathname.endsWith('/items');
  const method = search.method ?? (itemsEndpoint ? 'GET' : 'POST');
  const sortby = typeof search.sortby === 'string'
    ? search.sortby.split(',').map((f) => f.trim()).filter(Boolean)
      .map((f) => ({ field: f.replace(/^[+-]/, ''), direction: f.startsWith('-') ? 'desc' : 'asc' }))
    : search.sortby;
  const body: Record<string, unknown> = {
    ...(search.collections && !itemsEndpoint ? { collections: search.collections } : {}),
    ...(search.ids ? { ids: search.ids } : {}),
    ...(search.bbox ? { bbox: search.bbox } : {}),
    ...(search.intersects ? { intersects: search.intersects } : {}),
    ...(search.datetime ? { datetime: search.datetime } : {}),
    ...(search.query ? { query: search.query } : {}),
    ...(search.filter ? { filter: search.filter, 'filter-lang': 'cql2-json' } : {}),
    ...(sortby ? { sortby } : {}),
    limit,
  };
  if (method === 'POST') return { method, href, body };
  const u = new URL(href);
  for (const [key, value] of queryString(body)) u.searchParams.set(key, value);
  return { method, href: u.toString() };
}

/** The GET form of a search body: lists comma-separated, objects as JSON, sortby as "+a,-b". */
function queryString(body: Record<string, unknown>): URLSearchParams {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(body)) {
    if (key === 'sortby') {
      q.set(key, (value as { field: string; direction: string }[]).map((s) => `${s.direction === 'desc' ? '-' : '+'}${s.field}`).join(','));
    } else if (Array.isArray(value) && value.every((v) => typeof v !== 'object')) {
      q.set(key, value.join(','));
    } else {
      q.set(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
    }
  }
  return q;
}

/** The request a `next` link stands for, relative to the current one. */
export function nextRequest(link: NextLink, current: SearchRequest, origin: string, where: string): SearchRequest {
  if (typeof link.href !== 'string' || !link.href) throw new InputError(where, `${current.href}: "next" link without href`);
  const href = new URL(link.href, current.href).toString();
  if (new URL(href).origin !== origin) {
    throw new InputError(where, `${current.href}: "next" link leads to another host (${new URL(href).origin}); not followed`);
  }
  const method = String(link.method ?? 'GET').toUpperCase();
  if (method === 'GET') return { method, href };
  if (method !== 'POST') throw new InputError(where, `${current.href}: "next" link with unsupported method ${method}`);
  const linkBody = link.body && typeof link.body === 'object' && !Array.isArray(link.body) ? link.body as Record<string, unknown> : undefined;
  const body = link.merge === true ? { ...current.body, ...linkBody } : (linkBody ?? current.body ?? {});
  return { method, href, body };
}
