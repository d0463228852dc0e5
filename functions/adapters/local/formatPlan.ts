/**
 * `eofn plan` output: one line per partition with its window and estimated peak, then the merge step and
 * the job's estimated cost on AWS Lambda (see `costModel.ts`).
 *
 * @example
 * process.stdout.write(formatPlan(plan));
 */
import type { JobPlan } from '../../core/engine/index.ts';
import { mb } from '../../core/plan/memoryModel.ts';
import { estimateCost, formatCost } from '../../core/plan/costModel.ts';
import { formatScale, scalePlan } from '../../core/plan/scalePlan.ts';

const MAX_LISTED = 40;

export function formatPlan(plan: JobPlan, opts: { concurrency?: number } = {}): string {
  const lines = [
    `job ${plan.jobId} (${plan.op}): ${plan.partitions.length} partition(s) within ${plan.memoryMb} MB`,
    `memory model: ${Object.entries(plan.model).map(([k, v]) => `${k}=${v}`).join(' ')}`,
    ...plan.partitions.map((p) => {
      const w = p.window;
      const where = w ? `x=${w.x} y=${w.y} ${w.width}x${w.height}` : '';
      return `  ${p.id.padEnd(28)} ${where.padEnd(26)} est. peak ${String(mb(p.estimatedPeakBytes)).padStart(5)} MB`;
    }),
    `  ${'merge'.padEnd(28)} ${''.padEnd(26)} est. peak ${String(mb(plan.mergePeakBytes)).padStart(5)} MB`,
    formatCost(estimateCost(plan)),
  ];
  // Past a screenful, the partitions are summarised: the figures that decide whether to run the job come last.
  if (plan.partitions.length > MAX_LISTED) lines.splice(2 + MAX_LISTED, plan.partitions.length - MAX_LISTED, `  … ${plan.partitions.length - MAX_LISTED} more partitions`);
  lines.push(formatScale(scalePlan(plan, { concurrency: opts.concurrency })).trimEnd());
  return lines.join('\n') + '\n';
}
