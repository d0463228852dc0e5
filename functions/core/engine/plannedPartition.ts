/**
 * The partition a message asks for, as the job's own plan has it: the window, estimate and op data come
 * from the stored plan, never from the message. A message naming a job or partition that was not planned
 * is refused (a poison or forged message, never counted).
 *
 * @example
 * const partition = plannedPartition(stored, msg.jobId, msg.partition.id);
 */
import { InputError } from '../errors.ts';
import type { OpPlan, PartitionSpec } from '../plan/types.ts';
import type { StoredJob } from './storedJob.ts';

export class NotInPlanError extends InputError {
  constructor(jobId: string, partitionId: string, why = `not in the plan of job ${jobId}`) {
    super(`partition ${partitionId}`, why);
    this.name = 'NotInPlanError';
  }
}

// A function keeps a loaded plan for its next messages: with 100,000 partitions, a scan per message is quadratic.
const indexes = new WeakMap<OpPlan, Map<string, PartitionSpec>>();

export function plannedPartition(stored: StoredJob, jobId: string, partitionId: string): PartitionSpec {
  const partition = partitionOf(stored.plan, partitionId);
  if (stored.prepared.job.id !== jobId || !partition) throw new NotInPlanError(jobId, partitionId);
  return partition;
}

/** The partition of a loaded plan (a job's or a tile's) by id, through an index kept with the plan. */
export function partitionOf(plan: OpPlan, partitionId: string): PartitionSpec | undefined {
  let index = indexes.get(plan);
  if (!index) indexes.set(plan, index = new Map(plan.partitions.map((p) => [p.id, p])));
  return index.get(partitionId);
}
