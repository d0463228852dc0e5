/**
 * The partitions of a job under a memory budget, with the memory model's estimate for each, within the
 * deployment's ceilings (`jobLimits.ts`): output pixels and partition count are checked before the windows
 * are built, the merge's memory and the estimated cost right after.
 *
 * @example
 * const plan = planJob(prepared, { memoryMb: 1024 });
 * plan.partitions.length; // e.g. 8
 */
import { budgetBytes, DEFAULT_MEMORY_MB } from '../plan/memoryModel.ts';
import { estimateCost } from '../plan/costModel.ts';
import { checkCost, checkMergeBytes, checkPartitionCount, DEFAULT_JOB_LIMITS, JobTooLargeError, type JobLimits } from '../plan/jobLimits.ts';
import { formatScale, scalePlan } from '../plan/scalePlan.ts';
import { operationOf } from '../ops/registry.ts';
import type { PartitionSpec } from '../plan/types.ts';
import type { PreparedJob } from './prepareJob.ts';

export interface JobPlan {
  jobId: string;
  op: string;
  memoryMb: number;
  partitions: PartitionSpec[];
  mergePeakBytes: number;
  model: Record<string, number | string>;
}

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
    checkPartitionCount(out.partitions.length, limits);
    checkMergeBytes(out.mergePeakBytes, limits);
    checkCost(estimateCost(out).totalUsd, limits);
  } catch (e) {
    // Refused with the plan it was refused for: tiles, partitions, memory, cost and time.
    if (e instanceof JobTooLargeError) e.message += `\n${formatScale(scalePlan(out))}`.trimEnd();
    throw e;
  }
  return out;
}
