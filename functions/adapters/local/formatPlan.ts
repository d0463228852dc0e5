/**
 * `eofn plan` output: one line per partition with its window and estimated peak, then the merge step (which
 * counts against the same budget: it runs in one process after the partitions) and the job's estimated
 * cost on AWS Lambda (see `costModel.ts`).
 *
 * @example
 * process.stdout.write(formatPlan(plan, 2));
 */
import type { JobPlan } from '../../core/engine/index.ts';
import { formatNumber, mb } from '../../core/plan/memoryModel.ts';
import { estimateCost, formatCost } from '../../core/plan/costModel.ts';
import { formatScale, scalePlan } from '../../core/plan/scalePlan.ts';

const MAX_LISTED = 40;

export function formatPlan(plan: JobPlan, workers?: number, opts: { concurrency?: number } = {}): string {
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
    ...mergeWarning(plan),
    formatCost(estimateCost(plan)),
  ];
  // Past a screenful, the partitions are summarised: the figures that decide whether to run the job come last.
  if (plan.partitions.length > MAX_LISTED) lines.splice(2 + MAX_LISTED, plan.partitions.length - MAX_LISTED, `  … ${plan.partitions.length - MAX_LISTED} more partitions`);
  lines.push(formatScale(scalePlan(plan, { concurrency: opts.concurrency })).trimEnd());
  return lines.join('\n') + '\n';
}

/** The merge holds the whole product: when that is over the budget, say so and what would be enough. */
export function mergeWarning(plan: JobPlan): string[] {
  const need = mb(plan.mergePeakBytes);
  if (need <= plan.memoryMb) return [];
  return [`  warning: the merge needs about ${need} MB, more than --memory ${plan.memoryMb} MB (it holds the whole product); give --memory ${need} or more to stay within it`];
}
