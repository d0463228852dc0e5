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

export function plannedPartition(stored: StoredJob, jobId: string, partitionId: string): PartitionSpec {
  const partition = stored.plan.partitions.find((p) => p.id === partitionId);
  if (stored.prepared.job.id !== jobId || !partition) throw new NotInPlanError(jobId, partitionId);
  return partition;
}
