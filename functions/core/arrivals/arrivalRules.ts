/**
 * Rules that turn new data into jobs, the same on AWS (S3/SNS events) and on a DIAS (Ceph notifications,
 * STAC polling). A rule matches on collection, MGRS tile, bbox and cloud cover, and fills a job template
 * whose `output` may use `{tile}`, `{date}` (YYYY-MM-DD), `{item}` (the item id) and `{rule}`. The job's items
 * are the arriving item, unless the template has `items: {"search": …}`: then the job searches a STAC API
 * when it is prepared (the same search as any job's), with `{tile}`, `{date}`, `{date-<N>d}` (N days earlier),
 * `{item}` and `{collection}` filled in its strings, e.g. the last 30 days of the tile for a composite.
 *
 * @example
 * const rules = ArrivalRulesSchema.parse(JSON.parse(text));
 * jobsForArrival({ href: 's3://sentinel-cogs/…/S2B_33TWM_20230810_0_L2A.json', item }, rules);
 */
import { z } from 'zod';

const ArrivalRuleSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]+$/, 'expected lower-case letters, digits and "-"'),
  collection: z.string().optional().describe('STAC collection id, e.g. "sentinel-2-l2a"'),
  tiles: z.array(z.string()).optional().describe('MGRS tiles, e.g. ["33TWM"]; any when absent'),
  maxCloudCover: z.number().min(0).max(100).optional(),
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]).optional()
    .describe('[west, south, east, north] in degrees: items whose bbox does not intersect it are skipped'),
  /** Without `items`, the arriving item is the job's one item; with a search template, the search's result. */
  job: z.looseObject({
    op: z.string(), params: z.record(z.string(), z.unknown()), output: z.string(),
    items: z.strictObject({ search: z.record(z.string(), z.unknown()) }).optional(),
  }),
});
export const ArrivalRulesSchema = z.array(ArrivalRuleSchema);
export type ArrivalRule = z.infer<typeof ArrivalRuleSchema>;

export interface Arrival {
  /** Where the item JSON is (its asset hrefs resolve against it); or the item itself inline. */
  href?: string;
  item: { id: string; collection?: unknown; bbox?: unknown; properties: Record<string, unknown>; assets?: Record<string, unknown> };
}

/** The jobs a new item starts: one per matching rule, with deterministic ids (rule + item). */
export function jobsForArrival(arrival: Arrival, rules: ArrivalRule[]): Record<string, unknown>[] {
  const { item } = arrival;
  const props = item.properties;
  const tile = tileOf(item.id, props);
  const date = String(props.datetime ?? '').slice(0, 10);
  return rules.filter((rule) => {
    if (rule.collection && rule.collection !== item.collection) return false;
    if (rule.tiles && (!tile || !rule.tiles.includes(tile))) return false;
    const cloud = props['eo:cloud_cover'];
    if (rule.maxCloudCover !== undefined && typeof cloud === 'number' && cloud > rule.maxCloudCover) return false;
    if (rule.bbox && isBbox(item.bbox) && !intersects(rule.bbox, item.bbox)) return false;
    return true;
  }).map((rule) => {
    // Values come from the item (another party's metadata): in an output prefix each fills one path segment, never more.
    const filler = (safe: (v: string) => string) => (text: string) => text.replaceAll('{tile}', safe(tile ?? 'unknown')).replaceAll('{date}', safe(date))
      .replace(/\{date-(\d+)d\}/g, (_, days) => safe(daysBefore(date, Number(days))))
      .replaceAll('{item}', safe(item.id)).replaceAll('{collection}', safe(String(item.collection ?? ''))).replaceAll('{rule}', safe(rule.name));
    const fill = filler((v) => v);
    return {
      ...rule.job,
      id: `${rule.name}-${item.id}`.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 128),
      items: rule.job.items ? fillStrings(rule.job.items, fill) : [arrival.href ?? { type: 'Feature', ...item }],
      output: filler(segment)(rule.job.output),
    };
  });
}

function fillStrings(value: unknown, fill: (s: string) => string): unknown {
  if (typeof value === 'string') return fill(value);
  if (Array.isArray(value)) return value.map((v) => fillStrings(v, fill));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillStrings(v, fill)]));
  return value;
}

function daysBefore(date: string, days: number): string {
  const t = Date.parse(`${date}T00:00:00Z`);
  return Number.isNaN(t) ? date : new Date(t - days * 86_400_000).toISOString().slice(0, 10);
}

function isBbox(b: unknown): b is number[] {
  return Array.isArray(b) && (b.length === 4 || b.length === 6) && b.every((v) => typeof v === 'number');
}

/** Whether two [w, s, e, n] boxes (or 3D [w, s, zmin, e, n, zmax]) overlap; antimeridian boxes always do. */
function intersects(a: number[], b: number[]): boolean {
  const [w, s, e, n] = b.length === 6 ? [b[0], b[1], b[3], b[4]] : b;
  if (e < w || a[2] < a[0]) return true;
  return w <= a[2] && e >= a[0] && s <= a[3] && n >= a[1];
}

/** MGRS tile from the item's properties (Earth Search, CDSE) or, failing that, its id (S2B_33TWM_…). */
export function tileOf(id: string, props: Record<string, unknown>): string | undefined {
  const fromProps = props['s2:mgrs_tile'] ?? props['grid:code'] ?? props['mgrs:tile'];
  if (typeof fromProps === 'string') return fromProps.replace(/^MGRS-/, '');
  const utm = props['mgrs:utm_zone'], band = props['mgrs:latitude_band'], sq = props['mgrs:grid_square'];
  if (utm && band && sq) return `${utm}${band}${sq}`;
  return /_(\d{2}[A-Z]{3})_/.exec(id)?.[1] ?? /_T(\d{2}[A-Z]{3})_/.exec(id)?.[1];
}

/** A value as one safe path segment: no separators, no `..`, nothing outside [A-Za-z0-9._-]. */
export function segment(value: string): string {
  return value.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^\.+/, (dots) => '-'.repeat(dots.length)).slice(0, 200);
}
