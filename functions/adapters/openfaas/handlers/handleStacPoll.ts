/**
 * The `stac-poll` function, run by the cron connector: searches a STAC API (CDSE, CREODIAS, Earth Search)
 * for items since its watermark, matches them against the arrival rules, and remembers the newest datetime it
 * saw. The search is the one jobs use (`searchStac`: GET/POST `next` links, dedup), sorted by datetime and
 * truncated at `EOFN_STAC_MAX_ITEMS`; the next poll then resumes from the newest item it got, so a backlog
 * larger than one poll is worked off over several. Catalogues publish late (hours after acquisition), so any
 * other poll looks back `stacLookbackHours` before the watermark; items already turned into jobs are
 * recognised by their job ids.
 *
 * @example
 * await handleStacPoll(ctx); // { items: 12, jobs: ['ndvi-S2B_33TWM_20230810_0_L2A'], watermark: '2023-08-10T09:57:57Z' }
 */
import type { Arrival } from '../../../core/arrivals/arrivalRules.ts';
import { MAX_SEARCH_ITEMS, StacSearchSchema } from '../../../core/contract/stacSearchSchema.ts';
import { searchStac } from '../../../core/stac/searchStac.ts';
import { loadArrivalRules, submitArrivals } from './submitArrivals.ts';
import { badRequest, ok, type HandlerContext, type HandlerResult } from './handlerContext.ts';

export async function handleStacPoll(ctx: HandlerContext): Promise<HandlerResult> {
  const { stacApiUrl, stacCollections, stacMaxItems, stacBbox, stacLookbackHours = 48, stacSortby = 'properties.datetime' } = ctx.settings;
  if (!stacApiUrl) return badRequest('not configured: set EOFN_STAC_API_URL (and EOFN_STAC_COLLECTIONS) on eofn-stac-poll, or remove its cron annotation');
  const rules = await loadArrivalRules(ctx.settings.arrivalRulesHref);
  const source = `stac:${stacApiUrl}|${stacCollections.join(',')}`;
  const watermark = await ctx.store.watermark(source);
  // After a truncated poll, go on from where it stopped; otherwise look back for late publications.
  const resume = await ctx.store.pollCursor(source);
  const since = resume ?? new Date(Date.parse(watermark ?? new Date().toISOString()) - stacLookbackHours * 3600_000).toISOString();

  const maxItems = Math.min(stacMaxItems, MAX_SEARCH_ITEMS);
  const search = StacSearchSchema.parse({
    url: stacApiUrl, datetime: `${since}/..`, sortby: stacSortby, limit: Math.min(100, maxItems), maxItems,
    ...(stacCollections.length ? { collections: stacCollections } : {}), ...(stacBbox ? { bbox: stacBbox } : {}),
  });
  const found = await searchStac(search, { where: 'EOFN_STAC_API_URL', overflow: 'truncate' });
  const arrivals: Arrival[] = [];
  let newest = watermark;
  for (const item of found.items) {
    const self = (item.links as { rel?: string; href?: string }[] | undefined)?.find((l) => l?.rel === 'self')?.href;
    arrivals.push(self ? { href: self, item } : { item });
    const dt = String(item.properties.datetime ?? '');
    if (dt && (!newest || dt > newest)) newest = dt;
  }
  const jobs = await submitArrivals(ctx, arrivals, rules);
  if (newest) await ctx.store.setWatermark(source, newest);
  await ctx.store.setPollCursor(source, found.truncated ? newest : undefined);
  ctx.log('stac poll', { since, items: arrivals.length, pages: found.pages, truncated: found.truncated, jobs: jobs.length, watermark: newest });
  return ok({ since, items: arrivals.length, jobs, watermark: newest ?? null, ...(found.truncated ? { truncated: true } : {}) });
}
