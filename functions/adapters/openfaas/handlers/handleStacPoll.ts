/**
 * The `stac-poll` function, run by the cron connector: asks a STAC API (CDSE, CREODIAS, Earth Search) for
 * items since its watermark, matches them against the arrival rules, and remembers the newest datetime it
 * saw. Catalogues publish late (hours after acquisition), so each poll looks back `stacLookbackHours`
 * before the watermark; items already turned into jobs are recognised by their job ids.
 *
 * @example
 * await handleStacPoll(ctx); // { items: 12, jobs: ['ndvi-S2B_33TWM_20230810_0_L2A'], watermark: '2023-08-10T09:57:57Z' }
 */
import type { Arrival } from '../../../core/arrivals/arrivalRules.ts';
import { loadArrivalRules, submitArrivals } from './submitArrivals.ts';
import { badRequest, ok, type HandlerContext, type HandlerResult } from './handlerContext.ts';

interface StacPage {
  features?: Arrival['item'][];
  links?: { rel: string; href: string; method?: string }[];
}

export async function handleStacPoll(ctx: HandlerContext): Promise<HandlerResult> {
  const { stacApiUrl, stacCollections, stacMaxItems, stacBbox, stacLookbackHours = 48 } = ctx.settings;
  if (!stacApiUrl) return badRequest('not configured: set EOFN_STAC_API_URL (and EOFN_STAC_COLLECTIONS) on eofn-stac-poll, or remove its cron annotation');
  const rules = await loadArrivalRules(ctx.settings.arrivalRulesHref);
  const source = `stac:${stacApiUrl}|${stacCollections.join(',')}`;
  const watermark = await ctx.store.watermark(source);
  const since = new Date(Date.parse(watermark ?? new Date().toISOString()) - stacLookbackHours * 3600_000).toISOString();

  const query = new URLSearchParams({ datetime: `${since}/..`, limit: '100', sortby: 'properties.datetime' });
  if (stacCollections.length) query.set('collections', stacCollections.join(','));
  if (stacBbox) query.set('bbox', stacBbox);
  let next: string | undefined = `${stacApiUrl.replace(/\/+$/, '')}/search?${query}`;
  const arrivals: Arrival[] = [];
  let newest = watermark;
  while (next && arrivals.length < stacMaxItems) {
    const res = await fetch(next, { headers: { accept: 'application/geo+json, application/json' } });
    if (!res.ok) throw new Error(`STAC search ${next}: HTTP ${res.status}`);
    const page = (await res.json()) as StacPage;
    for (const item of page.features ?? []) {
      const self = (item as { links?: { rel: string; href: string }[] }).links?.find((l) => l.rel === 'self')?.href;
      arrivals.push(self ? { href: self, item } : { item });
      const dt = String(item.properties?.datetime ?? '');
      if (dt && (!newest || dt > newest)) newest = dt;
    }
    next = page.links?.find((l) => l.rel === 'next' && (l.method ?? 'GET') === 'GET')?.href;
  }
  const jobs = await submitArrivals(ctx, arrivals, rules);
  if (newest) await ctx.store.setWatermark(source, newest);
  ctx.log('stac poll', { since, items: arrivals.length, jobs: jobs.length, watermark: newest });
  return ok({ since, items: arrivals.length, jobs, watermark: newest ?? null });
}
