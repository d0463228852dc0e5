/**
 * The partition messages of a plan. A message names its partition (id, window, estimate) and points at the
 * stored plan; op-specific `data` (e.g. parcel ids) stays in the plan, which keeps messages small.
 *
 * @example
 * await send(queueUrl, partitionMessages(job.id, job.op, preparedRef, plan.partitions));
 */
import type { PartitionMessage } from '../../core/engine/index.ts';
import type { PartitionSpec } from '../../core/ops/types.ts';

export function partitionMessages(jobId: string, op: string, preparedRef: string, partitions: PartitionSpec[]): PartitionMessage[] {
  return partitions.map(({ id, window, estimatedPeakBytes }) => ({
    kind: 'partition', jobId, op, preparedRef, partition: { id, ...(window ? { window } : {}), estimatedPeakBytes },
  }));
}
