/**
 * A message the state store wants sent, and the function that takes it: partitions go to the function of
 * their op (`<prefix>tile-reduce`), finalize messages to `<prefix>finalize`, submissions and `plan-tile`
 * messages to `<prefix>jobs`.
 *
 * @example
 * functionFor({ kind: 'finalize', jobId }, 'eofn-'); // 'eofn-finalize'
 */
import type { FinalizeMessage, JobMessage, PartitionMessage, PlanTileMessage } from '../../core/engine/messages.ts';

export type DispatchMessage = PartitionMessage | FinalizeMessage | JobMessage | PlanTileMessage;

export function functionFor(message: DispatchMessage, prefix: string): string {
  if (message.kind === 'partition') return `${prefix}${message.op}`;
  return `${prefix}${message.kind === 'finalize' ? 'finalize' : 'jobs'}`;
}

/** Rows of `partitions` joined with their job, as the store's queries return them. */
export interface PartitionRow {
  job_id: string;
  spec: PartitionMessage['partition'];
  op: string;
}

export function partitionMessage(row: PartitionRow): PartitionMessage {
  return { kind: 'partition', jobId: row.job_id, op: row.op, partition: { id: row.spec.id } };
}
