/**
 * The state of jobs as every deployment keeps it: one interface, one status vocabulary (`jobStatus.ts`) and
 * one set of transition verbs, implemented by DynamoDB on AWS (`adapters/lambda/jobStore.ts`) and PostgreSQL
 * on a DIAS (`adapters/openfaas/jobStore.ts`). Every verb is a conditional transition, so a message that
 * arrives twice changes the state once; a verb that made no transition says so.
 *
 * ```text
 *                recordInvalid
 *   submission ───────────────▶ INVALID
 *       │ recordPlanned
 *       ▼          startJob (all partitions sent; a DIAS records them with the job and starts at RUNNING)
 *    PLANNED ─────────────────▶ RUNNING ───────────────────────────────┐
 *                                 │ every partition settled:           │ (DIAS) the last partition
 *                                 │ startFinalize                      │ settled and some are DEAD
 *                                 ▼                                    ▼
 *                             FINALIZING ── finishJob ──▶ SUCCEEDED | FAILED ── redrive ──▶ RUNNING
 *                                 └── finalizeFailed (permanent, or out of attempts) ─▶ FAILED
 *
 *   a partition:  PENDING ── startPartition ──▶ RUNNING ── partitionSucceeded ──▶ SUCCEEDED
 *                                                 │ partitionFailed
 *                                                 ├──▶ FAILED (another attempt is due) ── startPartition ──▶ RUNNING
 *                                                 └──▶ DEAD (permanent, or the last attempt) ── redrive ──▶ PENDING
 * ```
 *
 * A multi-tile job is recorded with its tile list and no partition (`NewJob.tiles`); each tile's plan is then
 * recorded with `recordTile`, once however often it is planned (a `plan-tile` message delivered twice), which
 * adds the tile's partitions to `total` and counts the tile planned; `tileSent` notes its partitions are out.
 * Every partition settled is not enough for a merge while tiles are unplanned: finalize waits for both.
 *
 * ```text
 *   a tile:   (listed with the job) ── recordTile ──▶ PLANNED (counted, partitions recorded) ── tileSent ──▶ SENT
 *                                    └─ planTileFailed (it cannot be planned: bad input, past a ceiling) ──▶ the job FAILED
 * ```
 *
 * A `plan-tile` message that is lost or whose function dies is the platform's to send again: SQS with its DLQ
 * on AWS (the dead-letter consumer calls `planTileFailed`), the reconciler on a DIAS (a lease per tile, see
 * `adapters/openfaas/tileDispatchQueries.ts`).
 *
 * AWS keeps no PENDING partitions (a partition's item is written by its first attempt; SQS holds the rest);
 * a DIAS keeps the merge's claim beside the status (`finalize_state`) and reports it as RUNNING, as AWS
 * reports FINALIZING.
 *
 * @example
 * const outcome = await store.partitionSucceeded(jobId, partitionId, 2.1);
 * if (outcome.finalize) await send({ kind: 'finalize', jobId });
 */
import type { PartitionSpec } from '../plan/types.ts';
import type { JobStatus, JobStatusView } from '../engine/jobStatus.ts';
import type { StoredRef } from '../engine/storedJob.ts';

/** A job planned and its prepared job stored: what `recordPlanned` keeps. */
export interface NewJob {
  jobId: string;
  op: string;
  outputHref: string;
  preparedRef: string;
  /** SHA-256 of the stored prepared job (see `storePrepared`): partitions refuse a prepared file that differs. */
  preparedDigest: string;
  /** SHA-256 of the validated job's canonical JSON: another content under the same id is a conflict. */
  hash: string;
  memoryMb: number;
  /** The partitions of a job of one grid; a multi-tile job gives `tiles` and records each tile's with `recordTile`. */
  partitions?: PartitionSpec[];
  /** The keys of a multi-tile job's tiles: the job is not complete before each tile's plan is recorded. */
  tiles?: string[];
  /** The tiles are planned by one `plan-tile` message each: a store that re-sends lost messages itself (a DIAS) keeps a lease per tile. */
  fannedOut?: boolean;
}

/** A tile's stored plan (`storeTilePlan`) and its partitions, as `recordTile` records them. */
export interface PlannedTile {
  key: string;
  /** Where the tile's plan is stored, and the SHA-256 of its bytes: partition functions refuse another. */
  href: string;
  digest: string;
  partitions: PartitionSpec[];
}

/** What recording a tile did. */
export interface TileOutcome {
  /** False when the tile was recorded before (a duplicate `plan-tile`, or a resumed jobs stage). */
  changed: boolean;
  /** Its partitions were all sent before (`tileSent`): nothing to send again. */
  sent: boolean;
  /** This tile completed the job (it had no partitions, and every other one is settled): send it to finalize. */
  finalize?: boolean;
}

/** How a deployment records a planned job; what a store keeps elsewhere it ignores. */
export interface RecordOptions {
  /** Where the partitions are sent (AWS: the op's queue, kept for a redrive). */
  queue?: string;
  /** Attempts per partition and finalize (a DIAS; on AWS the queue's `maxReceiveCount`). */
  maxAttempts?: number;
  /** Seconds before a recorded partition that no function took counts as lost; 0 = due at once. */
  dueInSeconds?: number;
}

/**
 * `created`: recorded, its partitions are to be sent (also a job whose sending was interrupted, still PLANNED);
 * `same`: the same job was accepted before; `conflict`: a different job holds the id.
 */
export type RecordOutcome = 'created' | 'same' | 'conflict';

/** A job accepted under an id: what a resubmission is compared with. */
export interface AcceptedJob {
  hash: string;
  /** False while its partitions may not all have been sent (AWS PLANNED): accepting it again resumes that. */
  settledIn: boolean;
}

/** Where a job's planned work is: what partitions and finalize run, whatever a message says. */
export interface PlannedJob {
  op: string;
  status: JobStatus;
  preparedRef: string;
  preparedDigest: string;
}

export interface Counts {
  done: number;
  failed: number;
  total: number;
  /** A multi-tile job: its tiles, and those whose plan is recorded (their partitions counted in `total`). */
  tiles?: number;
  tilesPlanned?: number;
}

/** Every partition settled and, for a multi-tile job, every tile planned: the job is due for its merge. */
export function allSettled(c: Counts): boolean {
  return c.done + c.failed === c.total && (c.tilesPlanned ?? 0) >= (c.tiles ?? 0);
}

/** What settling a partition did. */
export interface PartitionOutcome {
  /** False when this call made no transition: a duplicate delivery, or an attempt that is no longer current. */
  changed: boolean;
  /** The partition failed for good. */
  dead?: boolean;
  /** This call settled the last partition: the job is to be sent to finalize. */
  finalize?: boolean;
  /** This call settled the job as FAILED without a merge (a DIAS, when partitions are dead). */
  jobFailed?: boolean;
  /** The job's counters after this call, where the store keeps them per call (AWS). */
  counts?: Counts;
}

export interface Failure {
  error: string;
  /** Bad input or a plan that cannot run: no retry can help, so the store settles it now (partitions and finalize alike). */
  permanent?: boolean;
  /** The platform gives up after this attempt (AWS: the queue's last receive). */
  lastAttempt?: boolean;
}

export interface PartitionFailure extends Failure {
  /** The attempt that failed, when known; a store that fences attempts (a DIAS) settles only the current one. */
  attempt?: number;
  /** The message that carried the partition, kept with a dead partition for a redrive. */
  message?: { kind: 'partition'; jobId: string; op: string; partition: { id: string } };
}

/**
 * A claim on the job's merge. `claim` names it for `finishJob` / `finalizeFailed` (a DIAS: the finalize
 * attempt; AWS: when it was taken). Not claimed: `busy` (another claim runs), `done` (merged, or not due),
 * `unannounced` (finished, its completion event not yet sent: AWS publishes it again).
 */
export type FinalizeClaim = { claimed: true; claim: number } | { claimed: false; reason: 'busy' | 'done' | 'unannounced' };

export interface JobStateStore {
  /** The job accepted under `jobId`, if any (an INVALID record, or a submission that died, is no job). */
  acceptedJob(jobId: string): Promise<AcceptedJob | undefined>;
  /** Keeps a rejected submission visible to `eofn status` with its problems; never replaces a valid job. */
  recordInvalid(jobId: string, op: string, errors: string[]): Promise<void>;
  /** Records a planned job (→ PLANNED, or RUNNING where partitions are recorded with it). */
  recordPlanned(job: NewJob, options?: RecordOptions): Promise<RecordOutcome>;
  /** PLANNED → RUNNING once every partition message went out. */
  startJob(jobId: string): Promise<void>;
  /** The job's recorded plan: where its prepared job is and the digest it must have. */
  plannedJob(jobId: string): Promise<PlannedJob | undefined>;

  /** Records a tile's plan once: adds its partitions to `total` and counts the tile planned. */
  recordTile(jobId: string, tile: PlannedTile, options?: RecordOptions): Promise<TileOutcome>;
  /** Every partition of the tile is sent: a later `plan-tile` of the same tile sends nothing. */
  tileSent(jobId: string, key: string): Promise<void>;
  /** Where the tile's recorded plan is and the digest it must have. */
  plannedTile(jobId: string, key: string): Promise<StoredRef | undefined>;
  /** A tile that cannot be planned fails its job with the reason (true when this call failed it). */
  planTileFailed(jobId: string, key: string, error: string): Promise<boolean>;

  /**
   * Starts an attempt at a partition (→ RUNNING) that must be settled by `settleBy` (epoch seconds; default:
   * the store's lease). The attempt number, or undefined when the partition is not to run (done, or taken).
   */
  startPartition(jobId: string, partitionId: string, settleBy?: number): Promise<number | undefined>;
  /** RUNNING → SUCCEEDED, counted once. */
  partitionSucceeded(jobId: string, partitionId: string, seconds: number): Promise<PartitionOutcome>;
  /** RUNNING → FAILED (another attempt is due) or DEAD. */
  partitionFailed(jobId: string, partitionId: string, failure: PartitionFailure): Promise<PartitionOutcome>;

  /** Claims the merge (RUNNING → FINALIZING) once every partition is settled. */
  startFinalize(jobId: string): Promise<FinalizeClaim>;
  /** FINALIZING → SUCCEEDED or FAILED (with the failed partitions' errors); false when the claim was not current. */
  finishJob(jobId: string, claim: number, status: 'SUCCEEDED' | 'FAILED', errors: string[]): Promise<boolean>;
  /** The merge failed: due again, or (permanent, out of attempts) the job is FAILED. True when the job failed. */
  finalizeFailed(jobId: string, claim: number | undefined, failure: Failure): Promise<boolean>;

  /** The job as `eofn status` shows it. */
  status(jobId: string): Promise<JobStatusView | undefined>;
}
