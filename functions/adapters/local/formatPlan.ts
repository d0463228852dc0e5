/**
 * `eofn plan` output: one line per partition with its window and estimated peak, then the merge step (which
 * counts against the same budget: it runs in one process after the partitions) and the job's estimated
 * cost on AWS Lambda (see `costModel.ts`).
 *
 * @example
 * process.stdout.write(formatPlan(plan, 2));
 */
import { MERGE_FIT_SEARCH_FACTOR, mergeFitMemoryMb, type JobPlan, type PreparedJob } from '../../core/engine/index.ts';
import type { PlanJobOptions } from '../../core/engine/planJob.ts';
import { formatNumber, mb } from '../../core/plan/memoryModel.ts';
import { estimateCost, formatCost } from '../../core/plan/costModel.ts';
import { formatScale, scalePlan } from '../../core/plan/scalePlan.ts';

const MAX_LISTED = 40;

/** `mergeFitMb`: the smallest --memory at which the merge fits (`mergeFitMemoryMb`), for the warning. */
export function formatPlan(plan: JobPlan, workers?: number, opts: { concurrency?: number; mergeFitMb?: number } = {}): string {
  const lines = [
    `job ${plan.jobId} (${plan.op}): ${plan.partitions.length} partition(s) within ${plan.memoryMb} MB` +
      (workers ? `, split for ${workers} local worker(s) (--workers; eofn run uses one per core by default)` : ''),
    `memory model: ${Object.entries(plan.model).map(([k, v]) => `${k}=${typeof v === 'number' ? formatNumber(v) : v}`).join(' ')}`,
    ...plan.partitions.map((p) => {
      const w = p.window;
      const where = w ? `x=${w.x} y=${w.y} ${w.width}x${w.height}` : '';
      return `  ${p.id.padEnd(28)} ${where.padEnd(26)} est. peak ${String(mb(p.estimatedPeakBytes)).padStart(5)} MB`;
    }),
    `  ${'merge'.padEnd(28)} ${''.padEnd(26)} est. peak ${String(mb(plan.mergePeakBytes)).padStart(5)} MB`,
    ...mergeWarning(plan, opts.mergeFitMb),
    formatCost(estimateCost(plan)),
  ];
  // Past a screenful, the partitions are summarised: the figures that decide whether to run the job come last.
  if (plan.partitions.length > MAX_LISTED) lines.splice(2 + MAX_LISTED, plan.partitions.length - MAX_LISTED, `  … ${plan.partitions.length - MAX_LISTED} more partitions`);
  lines.push(formatScale(scalePlan(plan, { concurrency: opts.concurrency })).trimEnd());
  return lines.join('\n') + '\n';
}

/**
 * When the merge needs more than the budget: what it holds (the op's words, `OpPlan.mergeHolds`) and the
 * --memory that is enough, when one was found (a larger budget lets raster partitions compress more
 * levels, so the merge then holds less; see `mergeFitMemoryMb`).
 */
export function mergeWarning(plan: JobPlan, fitMb?: number): string[] {
  const need = mb(plan.mergePeakBytes);
  if (need <= plan.memoryMb) return [];
  const holds = plan.mergeHolds ?? 'the partitions\' results';
  const enough = fitMb === undefined ? `No --memory up to ${MERGE_FIT_SEARCH_FACTOR * need} MB makes it fit.` : `--memory ${fitMb} is enough.`;
  return [`  warning: the merge needs about ${need} MB, more than --memory ${plan.memoryMb} MB. It holds ${holds}. ${enough}`];
}

/** The --memory at which the merge fits, when it does not fit `plan`'s (else undefined: no warning to give). */
export function mergeFitFor(prepared: PreparedJob, plan: JobPlan, opts: PlanJobOptions): number | undefined {
  return mb(plan.mergePeakBytes) > plan.memoryMb ? mergeFitMemoryMb(prepared, { ...opts, memoryMb: plan.memoryMb }) : undefined;
}
