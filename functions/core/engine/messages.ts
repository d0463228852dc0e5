/**
 * The messages that carry work between functions, the same on AWS (SQS) and on a DIAS (OpenFaaS async
 * calls): a job, a tile of a job to plan, a partition of a job, and a job ready to merge. One schema per message, read by the Lambda
 * parser and by every OpenFaaS handler. A partition or finalize message names a job and a partition and
 * nothing else: what runs (the prepared job, the window, the output) is read from the job's own state
 * record, so a forged message can at most ask for work that was planned anyway. A schema keeps only the
 * names: whatever else a sender put in a message is never read.
 *
 * @example
 * const parsed = partitionMessageSchema.safeParse(body);
 * if (parsed.success) await run(parsed.data.jobId, parsed.data.partition.id);
 */
import { z } from 'zod';

/** A submitted job: inline, or by reference when it is larger than a queue message (SQS: 256 KiB). */
export const jobMessageSchema = z.union([
  z.object({ kind: z.literal('job'), jobRef: z.string() }),
  // A `base` that is not a string is no base: the job's relative hrefs then resolve against nothing.
  z.object({ kind: z.literal('job'), job: z.unknown(), base: z.string().optional().catch(undefined) }),
]);
export type JobMessage = { kind: 'job'; jobRef: string } | { kind: 'job'; job: unknown; base?: string };

export const partitionMessageSchema = z.object({
  kind: z.literal('partition'),
  jobId: z.string(),
  /** Routes the message to its op's function; the op that runs is the job record's. */
  op: z.unknown().optional().transform((op) => String(op)),
  partition: z.object({ id: z.string() }),
});
export type PartitionMessage = z.output<typeof partitionMessageSchema>;

/** A tile of a job whose planning is fanned out: the jobs stage sends one per tile, to its own queue or function. */
export const planTileMessageSchema = z.object({ kind: z.literal('plan-tile'), jobId: z.string(), tile: z.string() });
export type PlanTileMessage = z.output<typeof planTileMessageSchema>;

export const finalizeMessageSchema = z.object({ kind: z.literal('finalize'), jobId: z.string() });
export type FinalizeMessage = z.output<typeof finalizeMessageSchema>;

/** Largest message body sent inline; larger ones travel by reference (SQS allows 262,144 bytes). */
export const MAX_INLINE_MESSAGE_BYTES = 200_000;
