/**
 * The `arrivals` function: the HTTP push endpoint of Ceph RGW bucket notifications (S3 event records,
 * `eventSource: "ceph:s3"`). A created `.json` object is read as a STAC item and matched against the
 * arrival rules; other objects (the item's COGs) are ignored.
 *
 * @example
 * await handleArrivals(ctx, { Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'eo' }, object: { key: 'S2B_….json' } } }] });
 */
import type { Arrival } from '../../../core/arrivals/arrivalRules.ts';
import { parseJson } from '../../../core/io/parseJson.ts';
import { storageFor } from '../../../core/io/storage.ts';
import { loadArrivalRules, submitArrivals } from './submitArrivals.ts';
import { badRequest, ok, type HandlerContext, type HandlerResult } from './handlerContext.ts';

interface NotificationRecord {
  eventName?: string;
  s3?: { bucket?: { name?: string }; object?: { key?: string } };
}

export async function handleArrivals(ctx: HandlerContext, body: unknown): Promise<HandlerResult> {
  const records = (body as { Records?: NotificationRecord[] })?.Records;
  if (!Array.isArray(records)) return badRequest('expected a bucket notification {"Records": [...]}');
  const rules = await loadArrivalRules(ctx.settings.arrivalRulesHref);
  const arrivals: Arrival[] = [];
  for (const r of records) {
    const bucket = r.s3?.bucket?.name, rawKey = r.s3?.object?.key;
    if (!bucket || !rawKey || !r.eventName?.includes('ObjectCreated')) continue;
    // S3 and RGW URL-encode keys in notifications (spaces as "+").
    const key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
    if (!key.endsWith('.json')) continue;
    const href = `s3://${bucket}/${key}`;
    const item = parseJson(await storageFor(href).readAll(href), href) as Arrival['item'] & { type?: unknown } | null;
    if (item?.type === 'Feature' && typeof item.id === 'string') arrivals.push({ href, item });
  }
  const jobs = await submitArrivals(ctx, arrivals, rules);
  ctx.log('arrivals', { records: records.length, items: arrivals.length, jobs: jobs.length });
  return ok({ items: arrivals.length, jobs });
}
