/**
 * The smallest `--memory` at which a job's merge fits its budget. A raster merge holds the product at the
 * parts' coarsest COG level (`plan/cogLevels.ts`), and more memory lets the partitions compress more levels,
 * so the merge then needs less: the answer is often far below what the merge needs at the budget asked.
 * Found by bisection over plans (planning is arithmetic); the figure returned is one whose plan was made
 * and checked, never an extrapolation.
 *
 * @example
 * const plan = planJob(prepared, { memoryMb: 200 });
 * if (mb(plan.mergePeakBytes) > 200) mergeFitMemoryMb(prepared, { memoryMb: 200 }); // e.g. 260
 */
import { mb } from '../plan/memoryModel.ts';
import { planJob, type PlanJobOptions } from './planJob.ts';
import type { PreparedJob } from './prepareJob.ts';

/** How far past the first plan's merge need the search looks before it gives up. */
export const MERGE_FIT_SEARCH_FACTOR = 4;

/** Undefined when no budget up to MERGE_FIT_SEARCH_FACTOR × the merge's need fits it (or planning refuses the job). */
export function mergeFitMemoryMb(prepared: PreparedJob, opts: PlanJobOptions & { memoryMb: number }): number | undefined {
  const need = (memoryMb: number): number | undefined => {
    try {
      return mb(planJob(prepared, { ...opts, memoryMb }).mergePeakBytes);
    } catch {
      return undefined;
    }
  };
  const fits = (memoryMb: number) => {
    const n = need(memoryMb);
    return n !== undefined && n <= memoryMb;
  };
  let lo = opts.memoryMb;
  if (fits(lo)) return lo;
  const first = need(lo);
  if (first === undefined) return undefined;
  let hi = Math.max(first, lo + 1);
  while (!fits(hi)) {
    if (hi >= MERGE_FIT_SEARCH_FACTOR * first) return undefined;
    lo = hi;
    hi = Math.min(2 * hi, MERGE_FIT_SEARCH_FACTOR * first);
  }
  // lo does not fit, hi does: narrow to the first budget that fits.
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}
