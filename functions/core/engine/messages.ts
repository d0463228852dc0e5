/**
 * The messages that carry work between functions, the same on AWS (SQS) and on a DIAS (OpenFaaS async
 * calls): a job, a partition of a job, and a job ready to merge. A partition or finalize message names a
 * job and a partition and nothing else: what runs (the prepared job, the window, the output) is read from
 * the job's own state record, so a forged message can at most ask for work that was planned anyway.
 *
 * @example
 * const msg: PartitionMessage = { kind: 'partition', jobId, op: 'tile-reduce', partition: { id: 'r00000-c00000-512x512' } };
 */

/** A submitted job: inline, or by reference when it is larger than a queue message (SQS: 256 KiB). */
export type JobMessage =
  | { kind: 'job'; job: unknown; base?: string }
  | { kind: 'job'; jobRef: string };

export interface PartitionMessage {
  kind: 'partition';
  jobId: string;
  /** Routes the message to its op's function; the op that runs is the job record's. */
  op: string;
  /** Only the id is read; any other field a sender adds is ignored. */
  partition: { id: string };
}

export interface FinalizeMessage {
  kind: 'finalize';
  jobId: string;
}

/** Largest message body sent inline; larger ones travel by reference (SQS allows 262,144 bytes). */
export const MAX_INLINE_MESSAGE_BYTES = 200_000;
