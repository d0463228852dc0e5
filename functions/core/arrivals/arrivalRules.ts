/**
 * Rules that turn new data into jobs, the same on AWS (S3/SNS events) and on a DIAS (Ceph notifications,
 * STAC polling). A rule matches on collection, MGRS tile and cloud cover, and fills a job template whose
 * `output` may use `{tile}`, `{date}` (YYYY-MM-DD), `{item}` (the item id) and `{rule}`.
 *
 * @example
 * const rules = ArrivalRulesSchema.parse(JSON.parse(text));
 * jobsForArrival({ href: 's3://sentinel-cogs/…/S2B_33TWM_20230810_0_L2A.json', item }, rules);
 */
import { z } from 'zod';

export const ArrivalRuleSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]+$/, 'expected lower-case letters, digits and "-"'),
  collection: z.string().optional().describe('STAC collection id, e.g. "sentinel-2-l2a"'),
  tiles: z.array(z.string()).optional().describe('MGRS tiles, e.g. ["33TWM"]; any when absent'),
  maxCloudCover: z.number().min(0).max(100).optional(),
  /** A job without `items`: the arriving item is its one item. */
  job: z.looseObject({ op: z.string(), params: z.record(z.string(), z.unknown()), output: z.string() }),
});
export const ArrivalRulesSchema = z.array(ArrivalRuleSchema);
export type ArrivalRule = z.infer<typeof ArrivalRuleSchema>;

export interface Arrival {
  /** Where the item JSON is (its asset hrefs resolve against it); or the item itself inline. */
  href?: string;
  item: { id: string; collection?: string; properties: Record<string, unknown>; assets?: Record<string, unknown> };
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
    return true;
  }).map((rule) => ({
    ...rule.job,
    id: `${rule.name}-${item.id}`.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 128),
    items: [arrival.href ?? { type: 'Feature', ...item }],
    // Values come from the item (another party's metadata): each fills one path segment, never more.
    output: rule.job.output.replaceAll('{tile}', segment(tile ?? 'unknown')).replaceAll('{date}', segment(date))
      .replaceAll('{item}', segment(item.id)).replaceAll('{rule}', segment(rule.name)),
  }));
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
  const safe = value.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^\.+/, (dots) => '-'.repeat(dots.length)).slice(0, 200);
  return safe || 'unknown';
}
