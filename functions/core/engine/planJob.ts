/**
 * The partitions of a job under a memory budget, with the memory model's estimate for each, within the
 * deployment's ceilings (`jobLimits.ts`): output pixels and partition count of each grid (tile) are checked
 * before its windows are built; the job's total output pixels and partitions, the merge's memory and the
 * estimated cost right after, and a refusal carries the plan (tiles, partitions, memory, cost, wall time).
 *
 * @example
 * const plan = planJob(prepared, { memoryMb: 1024 });
 * plan.partitions.length; // e.g. 8
 */
import { budgetBytes, DEFAULT_MEMORY_MB } from '../plan/memoryModel.ts';
import { estimateCost } from '../plan/costModel.ts';
import { checkCost, checkJobOutputPixels, checkMergeBytes, checkMergeScratchBytes, checkPartitionCount, DEFAULT_JOB_LIMITS, JobTooLargeError, type JobLimits } from '../plan/jobLimits.ts';
import { formatScale, scalePlan } from '../plan/scalePlan.ts';
import { operationOf } from '../ops/registry.ts';
import type { JobPlan, PartitionSpec } from '../plan/types.ts';
import type { PreparedJob } from './prepareJob.ts';

export type { JobPlan } from '../plan/types.ts';

export interface PlanJobOptions {
  memoryMb?: number;
  minPartitions?: number;
  /** Ceilings of the deployment (default `DEFAULT_JOB_LIMITS`); a job past one is refused with the numbers. */
  limits?: Partial<JobLimits>;
}

export function planJob(prepared: PreparedJob, opts: PlanJobOptions = {}): JobPlan {
  const memoryMb = opts.memoryMb ?? DEFAULT_MEMORY_MB;
  const limits = { ...DEFAULT_JOB_LIMITS, ...opts.limits };
  const plan = operationOf(prepared.job.op).plan(prepared.setup, { budgetBytes: budgetBytes(memoryMb), minPartitions: opts.minPartitions, limits });
  const out: JobPlan = { jobId: prepared.job.id, op: prepared.job.op, memoryMb, ...plan };
  try {
    // Per tile, the pixel ceiling was checked before its windows existed; here over all tiles of the job.
    if (!out.partitions.some((p) => p.work)) checkJobOutputPixels(outputPixels(out.partitions), tileCount(out.partitions), limits);
    checkPartitionCount(out.partitions.length, limits);
    checkMergeBytes(out.mergePeakBytes, limits);
    checkMergeScratchBytes(out.mergeScratchBytes ?? 0, limits);
    checkCost(estimateCost(out).totalUsd, limits);
  } catch (e) {
    // Refused with the plan it was refused for: tiles, partitions, memory, cost and time.
    if (e instanceof JobTooLargeError) e.message += `\n${formatScale(scalePlan(out))}`.trimEnd();
    throw e;
  }
  return out;
}

/**
 * Pixels of a raster job's output: its partitions' windows tile each output grid exactly. (Partitions that
 * say their work, parcel-aggregate's, read overlapping windows and write a table: no output grid.)
 */
function outputPixels(partitions: PartitionSpec[]): number {
  return partitions.reduce((sum, p) => sum + (p.window ? p.window.width * p.window.height : 0), 0);
}

function tileCount(partitions: PartitionSpec[]): number {
  return Math.max(1, new Set(partitions.map((p) => p.tile)).size);
}
