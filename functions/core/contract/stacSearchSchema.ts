/**
 * A STAC API search as a job's item source: `items: {"search": {…}}`. The fields are those of the STAC API
 * Item Search (`collections`, `bbox` | `intersects`, `datetime`, `query` | `filter` in CQL2 JSON, `sortby`,
 * `limit`), plus `url` (the API root, its `/search`, or a `/collections/<id>/items` endpoint) and
 * `maxItems`, the hard cap past which the job is rejected instead of silently truncated.
 *
 * @example
 * StacSearchSchema.parse({ url: 'https://earth-search.aws.element84.com/v1', collections: ['sentinel-2-c1-l2a'],
 *   bbox: [14.9, 46.0, 15.1, 46.2], datetime: '2024-06-01T00:00:00Z/2024-06-30T23:59:59Z', maxItems: 20 });
 */
import { z } from 'zod';

/** Most items one search may bring into a job: each is kept whole in the prepared job. */
export const MAX_SEARCH_ITEMS = 2000;
export const DEFAULT_MAX_ITEMS = 100;
export const DEFAULT_PAGE_LIMIT = 100;

const datetimeBound = /^(\.\.|\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))?)?$/i;

const SortField = z.strictObject({
  field: z.string().min(1),
  direction: z.enum(['asc', 'desc']).default('asc'),
});

export const StacSearchSchema = z.strictObject({
  url: z.string().regex(/^https?:\/\/[^/\s]+/i, 'expected the http(s) URL of a STAC API (its root, /search, or /collections/<id>/items)'),
  method: z.enum(['GET', 'POST']).optional()
    .describe('Default POST for /search (GET for /items endpoints); next links say their own method'),
  collections: z.array(z.string().min(1)).min(1).optional(),
  ids: z.array(z.string().min(1)).min(1).optional(),
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()])
    .refine(([w, s, e, n]) => s <= n && w >= -180 && e <= 180 && s >= -90 && n <= 90, 'expected [west, south, east, north] in degrees, south <= north')
    .optional(),
  intersects: z.looseObject({ type: z.string(), coordinates: z.array(z.unknown()) })
    .describe('A GeoJSON geometry in WGS84').optional(),
  datetime: z.string().refine((v) => {
    const parts = v.split('/');
    return parts.length <= 2 && parts.every((p) => datetimeBound.test(p)) && v !== '../..' && v !== '';
  }, 'expected an RFC 3339 datetime or interval, e.g. "2024-06-01T00:00:00Z/2024-06-30T23:59:59Z" or "2024-06-01/.."').optional(),
  query: z.record(z.string(), z.record(z.string(), z.unknown())).optional()
    .describe('STAC API Query extension, e.g. {"eo:cloud_cover": {"lt": 30}}'),
  filter: z.record(z.string(), z.unknown()).optional().describe('A CQL2 JSON expression (sent with filter-lang cql2-json)'),
  sortby: z.union([z.string().min(1), z.array(SortField).min(1)]).optional()
    .describe('"-properties.datetime" or [{"field": "properties.datetime", "direction": "desc"}]'),
  limit: z.number().int().min(1).max(1000).optional().describe(`Items per page (default ${DEFAULT_PAGE_LIMIT})`),
  maxItems: z.number().int().min(1).max(MAX_SEARCH_ITEMS).optional()
    .describe(`A search finding more items than this is an error (default ${DEFAULT_MAX_ITEMS}, at most ${MAX_SEARCH_ITEMS})`),
}).superRefine((s, ctx) => {
  if (s.bbox && s.intersects) ctx.addIssue({ code: 'custom', path: ['intersects'], message: 'give bbox or intersects, not both' });
  if (s.query && s.filter) ctx.addIssue({ code: 'custom', path: ['filter'], message: 'give query or filter, not both' });
});

export const SearchItemsSchema = z.strictObject({ search: StacSearchSchema });

export type StacSearch = z.infer<typeof StacSearchSchema>;
export type SearchItems = z.infer<typeof SearchItemsSchema>;

/** True when a job's `items` is a search rather than a list. */
export function isSearch(items: unknown): items is SearchItems {
  return typeof items === 'object' && items !== null && !Array.isArray(items) && 'search' in items;
}
