/**
 * New items → jobs, the same rules as on AWS: each matching rule gives a job with a deterministic id, which
 * is sent to the `jobs` function unless the database already knows it (a repeated notification or poll).
 *
 * @example
 * const rules = await loadArrivalRules('s3://eofn-config/arrival-rules.json');
 * await submitArrivals(ctx, [{ href, item }], rules); // ['ndvi-S2B_33TWM_20230810_0_L2A']
 */
import { ArrivalRulesSchema, jobsForArrival, type Arrival, type ArrivalRule } from '../../../core/arrivals/arrivalRules.ts';
import { InputError } from '../../../core/errors.ts';
import { parseJson } from '../../../core/io/parseJson.ts';
import { storageFor } from '../../../core/io/storage.ts';
import type { HandlerContext } from './handlerContext.ts';

export async function loadArrivalRules(href: string | undefined): Promise<ArrivalRule[]> {
  if (!href) throw new InputError('EOFN_ARRIVAL_RULES', 'not set: point it at the arrival rules JSON (s3://…/arrival-rules.json)');
  const parsed = ArrivalRulesSchema.safeParse(parseJson(await storageFor(href).readAll(href), href));
  if (!parsed.success) throw new InputError(href, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}

/** Sends the jobs the arrivals start; returns the ids of the jobs sent (known ones are left out). */
export async function submitArrivals(ctx: HandlerContext, arrivals: Arrival[], rules: ArrivalRule[]): Promise<string[]> {
  const sent: string[] = [];
  for (const arrival of arrivals) {
    for (const job of jobsForArrival(arrival, rules)) {
      const id = job.id as string;
      const known = await ctx.store.status(id);
      if (known && known.status !== 'INVALID') continue;
      await ctx.dispatcher.dispatch({ kind: 'job', job });
      sent.push(id);
    }
  }
  return sent;
}
