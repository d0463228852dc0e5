/**
 * The partitions of a job under a memory budget, with the memory model's estimate for each.
 *
 * @example
 * const plan = planJob(prepared, { memoryMb: 1024 });
 * plan.partitions.length; // e.g. 8
 */
import { budgetBytes, DEFAULT_MEMORY_MB } from '../plan/memoryModel.ts';
import { operationOf } from '../ops/registry.ts';
import type { PartitionSpec } from '../ops/types.ts';
import type { PreparedJob } from './prepareJob.ts';

export interface JobPlan {
  jobId: string;
  op: string;
  memoryMb: number;
  partitions: PartitionSpec[];
  mergePeakBytes: number;
  model: Record<string, number | string>;
}

export function planJob(prepared: PreparedJob, opts: { memoryMb?: number; minPartitions?: number } = {}): JobPlan {
  const memoryMb = opts.memoryMb ?? DEFAULT_MEMORY_MB;
  const plan = operationOf(prepared.job.op).plan(prepared.setup, { budgetBytes: budgetBytes(memoryMb), minPartitions: opts.minPartitions });
  return { jobId: prepared.job.id, op: prepared.job.op, memoryMb, ...plan };
}
