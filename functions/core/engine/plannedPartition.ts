/**
 * The partition a message asks for, as the job's own plan has it: the window, estimate and op data come
 * from the stored plan, never from the message. A message naming a job or partition that was not planned
 * is refused (a poison or forged message, never counted).
 *
 * @example
 * const partition = plannedPartition(stored, msg.jobId, msg.partition.id);
 */
import { InputError } from '../errors.ts';
import type { PartitionSpec } from '../plan/types.ts';
import type { StoredJob } from './storedJob.ts';

export class NotInPlanError extends InputError {
  constructor(jobId: string, partitionId: string, why = `not in the plan of job ${jobId}`) {
    super(`partition ${partitionId}`, why);
    this.name = 'NotInPlanError';
  }
}

// A function keeps a loaded plan for its next messages: with 100,000 partitions, a scan per message is quadratic.
const indexes = new WeakMap<StoredJob['plan'], Map<string, PartitionSpec>>();

export function plannedPartition(stored: StoredJob, jobId: string, partitionId: string): PartitionSpec {
  let index = indexes.get(stored.plan);
  if (!index) indexes.set(stored.plan, index = new Map(stored.plan.partitions.map((p) => [p.id, p])));
  const partition = index.get(partitionId);
  if (stored.prepared.job.id !== jobId || !partition) throw new NotInPlanError(jobId, partitionId);
  return partition;
}
