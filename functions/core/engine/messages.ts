/**
 * The messages that carry work between functions, the same on AWS (SQS) and on a DIAS (OpenFaaS async
 * calls): a job, a partition of a job, and a job ready to merge. Messages stay small: the prepared job
 * (items, grid, params) lives once under the job's output, and messages point at it.
 *
 * @example
 * const msg: PartitionMessage = { kind: 'partition', jobId, op: 'tile-reduce', partition, preparedRef };
 */
import type { PartitionSpec } from '../ops/types.ts';

/** A submitted job: inline, or by reference when it is larger than a queue message (SQS: 256 KiB). */
export type JobMessage =
  | { kind: 'job'; job: unknown; base?: string }
  | { kind: 'job'; jobRef: string };

export interface PartitionMessage {
  kind: 'partition';
  jobId: string;
  op: string;
  partition: PartitionSpec;
  /** href of the prepared job JSON (see `storePrepared`). */
  preparedRef: string;
}

export interface FinalizeMessage {
  kind: 'finalize';
  jobId: string;
  preparedRef: string;
}

/** Largest message body sent inline; larger ones travel by reference (SQS allows 262,144 bytes). */
export const MAX_INLINE_MESSAGE_BYTES = 200_000;
