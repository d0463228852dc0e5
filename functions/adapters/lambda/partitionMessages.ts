/**
 * The partition messages of a plan. A message names its job and partition only; the consumer reads the
 * window, the estimate and op data from the plan its job record points at.
 *
 * @example
 * await send(queueUrl, partitionMessages(job.id, job.op, plan.partitions));
 */
import type { PartitionMessage } from '../../core/engine/index.ts';
import type { PartitionSpec } from '../../core/plan/types.ts';

export function partitionMessages(jobId: string, op: string, partitions: Pick<PartitionSpec, 'id'>[]): PartitionMessage[] {
  return partitions.map(({ id }) => ({ kind: 'partition', jobId, op, partition: { id } }));
}
