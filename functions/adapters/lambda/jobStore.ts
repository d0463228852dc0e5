/**
 * The state of jobs in DynamoDB, one table: a job item (`pk=JOB#<id>, sk=JOB`) with its counters, one item
 * per partition that has been attempted (`sk=PART#<id>`), one per dead-lettered message (`sk=DEAD#<msg>`),
 * one per planned tile of a multi-tile job (`sk=TILE#<key>`: where its plan is, its digest). The job item
 * keeps the tiles planned as a string set (`plannedTiles`), so that a tile is counted once in one
 * conditional update, and those whose partitions are all out (`sentTiles`).
 * Every change is a conditional single-item write, with no transactions, so a duplicate delivery cannot
 * count twice: a partition's counter `ADD` happens only after its own status transition succeeded.
 * An unsettled partition carries `sweep`/`sweepAt` (the sparse `sweep` index): the time by which SQS must have
 * retried or dead-lettered it, so the sweeper finds what no message will report. Finished jobs get `expiresAt`
 * (the table's TTL attribute) after the configured retention; partition items get it when written.
 *
 * @example
 * const store = createJobStore(documentClient(), 'eofn-jobs');
 * const { counts } = await store.partitionSucceeded('job-1', 'r0c0', 2.1); // { done: 3, failed: 0, total: 8 }
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StoredRef } from '../../core/engine/storedJob.ts';
import {
  allSettled, reportedStatus, type PlannedTile, type TileOutcome, type AcceptedJob, type Counts, type Failure, type FinalizeClaim, type JobStateStore, type JobStatus, type JobStatusView,
  type NewJob, type PartitionFailure, type PartitionOutcome, type PartitionStatus, type PlannedJob, type RecordOptions, type RecordOutcome,
} from '../../core/lifecycle/index.ts';

/** DynamoDB keeps no PENDING partitions: a partition's item is written by its first attempt. */
type StoredPartitionStatus = Exclude<PartitionStatus, 'PENDING'>;

export interface JobItem {
  id: string;
  /** A submission that died in the jobs stage (its message body), kept for `eofn redrive`. */
  submission?: string;
  op: string;
  status: Exclude<JobStatus, 'INTERRUPTED'>;
  /** Hash of the validated job: the same id with another content is a different job. */
  hash: string;
  total: number;
  done: number;
  failed: number;
  output?: string;
  preparedRef?: string;
  /** SHA-256 of the prepared job's bytes: consumers refuse a prepared file that differs. */
  preparedDigest?: string;
  /** Partition messages sent so far (in plan order) while PLANNED: where an interrupted fan-out resumes. */
  fannedOut?: number;
  /** A multi-tile job: its tiles, those whose plan is recorded (counted in `total`), and which ones. */
  tiles?: number;
  tilesPlanned?: number;
  plannedTiles?: Set<string>;
  /** Tiles whose partitions are all sent. */
  sentTiles?: Set<string>;
  queueUrl?: string;
  memoryMb?: number;
  errors: string[];
  /** The completion event went out (finalize retries only the publish when this is false). */
  notified?: boolean;
  /** When the job reached SUCCEEDED/FAILED: with id and status, the completion event's deduplication id. */
  finishedAt?: string;
  finalizeStartedAt?: number;
  createdAt: string;
  updatedAt: string;
}

export interface PartitionItem {
  id: string;
  status: StoredPartitionStatus;
  attempts: number;
  error?: string;
  seconds?: number;
  /** Attempts that noted they were running into the function's timeout. */
  timeouts?: number;
  /** Epoch seconds by which an unsettled partition must have been retried or dead-lettered. */
  sweepAt?: number;
  /** Counted in the job's `failed` (it went DEAD); kept when a duplicate's attempt changes the status again. */
  countedFailed?: boolean;
}

export interface StoreOptions {
  /** Days a finished job's records are kept before DynamoDB's TTL removes them. */
  retentionDays?: number;
  /** A finalize claim older than this belongs to a function that died (the finalize function's timeout). */
  staleFinalizeMs?: number;
}

/** The sparse index of unsettled partitions (and finalize claims), by deadline. */
export const SWEEP_INDEX = 'sweep';
const OPEN = 'OPEN';

export type { Counts };

const jobKey = (id: string) => ({ pk: `JOB#${id}`, sk: 'JOB' });
const partKey = (id: string, part: string) => ({ pk: `JOB#${id}`, sk: `PART#${part}` });
const tileKey = (id: string, tile: string) => ({ pk: `JOB#${id}`, sk: `TILE#${tile}` });
const now = () => new Date().toISOString();
const epoch = () => Math.floor(Date.now() / 1000);


type UpdateInput = Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>;

export class DynamoJobStore implements JobStateStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly options: StoreOptions;

  constructor(doc: DynamoDBDocumentClient, tableName: string, options: StoreOptions = {}) {
    this.doc = doc;
    this.tableName = tableName;
    this.options = options;
  }

  async getJob(id: string): Promise<JobItem | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: jobKey(id), ConsistentRead: true }));
    return out.Item as JobItem | undefined;
  }

  /** The job's status and counters alone (tiles planned of tiles too): one small read, however many partitions the job has. */
  async progress(id: string): Promise<(Counts & { status: JobItem['status'] }) | undefined> {
    const out = await this.doc.send(new GetCommand({
      TableName: this.tableName, Key: jobKey(id), ConsistentRead: true,
      ProjectionExpression: '#s, #total, #done, #failed, tiles, tilesPlanned',
      ExpressionAttributeNames: { '#s': 'status', '#total': 'total', '#done': 'done', '#failed': 'failed' },
    }));
    const i = out.Item;
    return i && { status: i.status as JobItem['status'], ...countsOf(i) };
  }

  async acceptedJob(jobId: string): Promise<AcceptedJob | undefined> {
    const job = await this.getJob(jobId);
    // An INVALID record, or one left by a submission that died in the jobs stage, is replaced by a valid job.
    if (!job || job.status === 'INVALID' || job.submission !== undefined) return undefined;
    return { hash: job.hash, settledIn: job.status !== 'PLANNED' };
  }

  /**
   * Records a planned job unless the id is known (an INVALID record may be replaced). A known PLANNED job
   * with the same content was interrupted while sending its partitions: `created`, so they are sent again.
   */
  async recordPlanned(job: NewJob, options: RecordOptions = {}): Promise<RecordOutcome> {
    const item: Omit<JobItem, 'createdAt' | 'updatedAt' | 'done' | 'failed' | 'errors'> = {
      id: job.jobId, op: job.op, status: 'PLANNED', hash: job.hash, total: job.partitions?.length ?? 0, output: job.outputHref,
      ...(job.tiles ? { tiles: job.tiles.length, tilesPlanned: 0 } : {}),
      preparedRef: job.preparedRef, preparedDigest: job.preparedDigest, ...(options.queue ? { queueUrl: options.queue } : {}), memoryMb: job.memoryMb,
    };
    try {
      await this.doc.send(new PutCommand({
        TableName: this.tableName, Item: { ...jobKey(job.jobId), ...item, done: 0, failed: 0, errors: [], createdAt: now(), updatedAt: now() },
        // An INVALID record, or one left by a submission that died in the jobs stage, is replaced.
        ConditionExpression: 'attribute_not_exists(pk) OR #s = :invalid OR attribute_exists(submission)',
        ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':invalid': 'INVALID' },
      }));
      return 'created';
    } catch (e) {
      if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
    }
    const existing = await this.getJob(job.jobId);
    if (existing?.hash !== job.hash) return 'conflict';
    if (existing.status !== 'PLANNED') return 'same';
    await this.update({
      Key: jobKey(job.jobId), UpdateExpression: 'SET preparedRef = :ref, preparedDigest = :digest',
      ExpressionAttributeValues: { ':ref': job.preparedRef, ':digest': job.preparedDigest },
    });
    return 'created';
  }

  /** An invalid submission; never overwrites a valid job that has the same id. */
  async recordInvalid(id: string, op: string, errors: string[]): Promise<void> {
    await this.update({
      Key: jobKey(id),
      UpdateExpression: 'SET id = :id, #s = :invalid, #op = :op, #errors = :errors, #total = :zero, #done = :zero, #failed = :zero, createdAt = if_not_exists(createdAt, :now), updatedAt = :now, expiresAt = :exp',
      ConditionExpression: 'attribute_not_exists(pk) OR #s = :invalid',
      // `total` is a DynamoDB reserved word; the others are named alike for clarity.
      ExpressionAttributeNames: { '#s': 'status', '#op': 'op', '#errors': 'errors', '#total': 'total', '#done': 'done', '#failed': 'failed' },
      ExpressionAttributeValues: { ':id': id, ':invalid': 'INVALID', ':op': op, ':errors': errors, ':zero': 0, ':now': now(), ':exp': this.expiresAt() },
    });
  }

  /**
   * A submission that died in the jobs stage on every receive (timeout, out of memory): the job is FAILED
   * with the reason and keeps the message body for `eofn redrive`. A job that got past planning is left alone.
   */
  async submissionDead(id: string, op: string, reason: string, body: string): Promise<boolean> {
    return (await this.update({
      Key: jobKey(id),
      UpdateExpression: 'SET id = :id, #s = :failed, #op = if_not_exists(#op, :op), #errors = list_append(if_not_exists(#errors, :empty), :e), submission = :body, notified = if_not_exists(notified, :false), finishedAt = :now, #total = if_not_exists(#total, :zero), #done = if_not_exists(#done, :zero), #failed = if_not_exists(#failed, :zero), createdAt = if_not_exists(createdAt, :now), updatedAt = :now, expiresAt = :exp',
      ConditionExpression: 'attribute_not_exists(pk) OR #s IN (:invalid, :planned, :failed)',
      ExpressionAttributeNames: { '#s': 'status', '#op': 'op', '#errors': 'errors', '#total': 'total', '#done': 'done', '#failed': 'failed' },
      ExpressionAttributeValues: {
        ':id': id, ':failed': 'FAILED', ':invalid': 'INVALID', ':planned': 'PLANNED', ':op': op, ':e': [reason], ':empty': [], ':body': body, ':false': false,
        ':zero': 0, ':now': now(), ':exp': this.expiresAt(),
      },
      ReturnValues: 'ALL_NEW',
    })) !== undefined;
  }

  async appendJobError(id: string, error: string): Promise<void> {
    await this.update({
      Key: jobKey(id),
      UpdateExpression: 'SET errors = list_append(if_not_exists(errors, :empty), :e), updatedAt = :now',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':e': [error], ':empty': [], ':now': now() },
    });
  }

  /** Notes how many partition messages are out (only rises, only while PLANNED). */
  async noteFanOut(id: string, sent: number): Promise<void> {
    await this.update({
      Key: jobKey(id), UpdateExpression: 'SET fannedOut = :n',
      ConditionExpression: '#s = :planned AND (attribute_not_exists(fannedOut) OR fannedOut < :n)',
      ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':n': sent, ':planned': 'PLANNED' },
    });
  }

  async startJob(id: string): Promise<void> {
    await this.update({
      Key: jobKey(id), UpdateExpression: 'SET #s = :running, updatedAt = :now', ConditionExpression: '#s = :planned',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':running': 'RUNNING', ':planned': 'PLANNED', ':now': now() },
    });
  }

  async plannedJob(jobId: string): Promise<PlannedJob | undefined> {
    const job = await this.getJob(jobId);
    return job?.preparedRef && job.preparedDigest ? { op: job.op, status: job.status, preparedRef: job.preparedRef, preparedDigest: job.preparedDigest } : undefined;
  }

  /**
   * Records a tile's plan (its item: where the plan is and its digest), then counts it on the job in one
   * conditional update (its key joins `plannedTiles`, its partitions `total`): a duplicate counts nothing.
   */
  async recordTile(jobId: string, tile: PlannedTile, _options?: RecordOptions): Promise<TileOutcome> {
    try {
      await this.doc.send(new PutCommand({
        TableName: this.tableName, ConditionExpression: 'attribute_not_exists(pk)',
        Item: { ...tileKey(jobId, tile.key), key: tile.key, href: tile.href, digest: tile.digest, partitions: tile.partitions.length, updatedAt: now(), expiresAt: this.expiresAt() },
      }));
    } catch (e) {
      if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
      const known = await this.plannedTile(jobId, tile.key);
      // Plans are deterministic: another digest means the inputs changed under the job.
      if (known?.digest !== tile.digest) throw new Error(`tile ${tile.key} of job ${jobId} was planned before with other bytes (${known?.digest.slice(0, 12)}); refusing to count it twice`);
    }
    const counted_ = await this.update({
      Key: jobKey(jobId),
      UpdateExpression: 'ADD #total :n, tilesPlanned :one, plannedTiles :key SET updatedAt = :now',
      ConditionExpression: 'attribute_exists(pk) AND NOT contains(plannedTiles, :k)',
      ExpressionAttributeNames: { '#total': 'total' },
      ExpressionAttributeValues: { ':n': tile.partitions.length, ':one': 1, ':key': new Set([tile.key]), ':k': tile.key, ':now': now() },
      ReturnValues: 'ALL_NEW',
    });
    const job = counted_ ?? await this.getJob(jobId);
    if (!job) throw new Error(`job ${jobId} is not known`);
    const sent = (job.sentTiles as Set<string> | undefined)?.has(tile.key) ?? false;
    // A tile with no partitions, planned last after every other partition settled, completes the job itself.
    return { changed: !!counted_, sent, ...(counted_ && job.status === 'RUNNING' && allSettled(countsOf(counted_)) ? { finalize: true } : {}) };
  }

  async tileSent(jobId: string, key: string): Promise<void> {
    await this.update({
      Key: jobKey(jobId), UpdateExpression: 'ADD sentTiles :key', ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':key': new Set([key]) },
    });
  }

  async plannedTile(jobId: string, key: string): Promise<StoredRef | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: tileKey(jobId, key), ConsistentRead: true }));
    return out.Item ? { href: String(out.Item.href), digest: String(out.Item.digest) } : undefined;
  }

  /** The job is FAILED with the reason, not yet notified (finalize publishes its completion event). */
  async planTileFailed(jobId: string, _key: string, error: string): Promise<boolean> {
    return (await this.update({
      Key: jobKey(jobId),
      UpdateExpression: 'SET #s = :failed, errors = list_append(if_not_exists(errors, :empty), :e), notified = :false, updatedAt = :now, finishedAt = :now, expiresAt = :exp',
      ConditionExpression: '#s IN (:planned, :running)',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: {
        ':failed': 'FAILED', ':planned': 'PLANNED', ':running': 'RUNNING', ':e': [error], ':empty': [], ':false': false, ':now': now(), ':exp': this.expiresAt(),
      },
      ReturnValues: 'UPDATED_NEW',
    })) !== undefined;
  }

  /**
   * Starts an attempt that must be settled (retried or dead-lettered by SQS) by `settleBy` (epoch seconds);
   * the attempt number, or undefined when the partition already succeeded (a duplicate delivery).
   */
  async startPartition(jobId: string, part: string, settleBy = epoch() + 900): Promise<number | undefined> {
    const attrs = await this.update({
      Key: partKey(jobId, part),
      UpdateExpression: 'SET #s = :running, id = :id, updatedAt = :now, sweep = :open, sweepAt = :at, expiresAt = :exp REMOVE #e ADD attempts :one',
      ConditionExpression: 'attribute_not_exists(#s) OR #s <> :succeeded',
      ExpressionAttributeNames: { '#s': 'status', '#e': 'error' },
      ExpressionAttributeValues: {
        ':running': 'RUNNING', ':succeeded': 'SUCCEEDED', ':id': part, ':one': 1, ':now': now(), ':open': OPEN, ':at': settleBy, ':exp': this.expiresAt(),
      },
      ReturnValues: 'ALL_NEW',
    });
    return attrs === undefined ? undefined : Number(attrs.attempts);
  }

  /** Notes why an attempt is about to end (its function's timeout) while the attempt is still the current one. */
  async noteAttemptEnding(jobId: string, part: string, attempt: number, error: string): Promise<void> {
    await this.update({
      Key: partKey(jobId, part),
      UpdateExpression: 'SET #e = :error, updatedAt = :now ADD timeouts :one',
      ConditionExpression: '#s = :running AND attempts = :attempt',
      ExpressionAttributeNames: { '#s': 'status', '#e': 'error' },
      ExpressionAttributeValues: { ':error': error, ':running': 'RUNNING', ':attempt': attempt, ':now': now(), ':one': 1 },
    });
  }

  async getPartition(jobId: string, part: string): Promise<PartitionItem | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: partKey(jobId, part), ConsistentRead: true }));
    return out.Item as PartitionItem | undefined;
  }

  /** Unsettled partitions whose deadline passed: what the sweeper settles. */
  async overduePartitions(nowEpoch = epoch()): Promise<{ jobId: string; id: string; attempts: number; error?: string }[]> {
    const out: { jobId: string; id: string; attempts: number; error?: string }[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(new QueryCommand({
        TableName: this.tableName, IndexName: SWEEP_INDEX, KeyConditionExpression: 'sweep = :open AND sweepAt < :now',
        ExpressionAttributeValues: { ':open': OPEN, ':now': nowEpoch }, ExclusiveStartKey: start,
      }));
      for (const i of page.Items ?? []) {
        if (String(i.sk).startsWith('PART#')) out.push({ jobId: String(i.pk).slice(4), id: String(i.id), attempts: Number(i.attempts ?? 0), error: i.error });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  /** Marks a partition done and counts it; `counts` when this call made the transition. */
  async partitionSucceeded(jobId: string, part: string, seconds: number): Promise<PartitionOutcome> {
    const before = await this.update({
      Key: partKey(jobId, part),
      UpdateExpression: 'SET #s = :succeeded, id = :id, seconds = :sec, updatedAt = :now REMOVE sweep, sweepAt',
      ConditionExpression: 'attribute_not_exists(#s) OR #s <> :succeeded',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':succeeded': 'SUCCEEDED', ':id': part, ':sec': seconds, ':now': now() },
      ReturnValues: 'ALL_OLD',
    });
    if (before === undefined) return { changed: false };
    const wasDead = before.countedFailed === true;
    if (wasDead) await this.update({ Key: partKey(jobId, part), UpdateExpression: 'REMOVE countedFailed' });
    return counted(await this.update({
      Key: jobKey(jobId),
      UpdateExpression: `ADD done :one${wasDead ? ', failed :minus' : ''} SET updatedAt = :now`,
      ExpressionAttributeValues: { ':one': 1, ':now': now(), ...(wasDead ? { ':minus': -1 } : {}) },
      ReturnValues: 'ALL_NEW',
    }));
  }

  /**
   * Records a failed attempt. On the last attempt, or a permanent failure, the partition is DEAD and counts
   * as failed; `counts` when this call made that transition. SQS retries the others.
   */
  async partitionFailed(jobId: string, part: string, failure: PartitionFailure): Promise<PartitionOutcome> {
    const dead = !!failure.lastAttempt || !!failure.permanent;
    const before = await this.update({
      Key: partKey(jobId, part),
      UpdateExpression: `SET #s = :status, id = :id, #e = :error, updatedAt = :now, expiresAt = :exp${dead ? ', countedFailed = :true REMOVE sweep, sweepAt' : ''}`,
      ConditionExpression: 'attribute_not_exists(#s) OR #s <> :succeeded',
      ExpressionAttributeNames: { '#s': 'status', '#e': 'error' },
      ExpressionAttributeValues: {
        ':status': dead ? 'DEAD' : 'FAILED', ':succeeded': 'SUCCEEDED', ':id': part, ':error': failure.error, ':now': now(), ':exp': this.expiresAt(),
        ...(dead ? { ':true': true } : {}),
      },
      ReturnValues: 'ALL_OLD',
    });
    if (before === undefined) return { changed: false };
    if (!dead) return { changed: true };
    // Counted by the marker, not the status: a duplicate's later attempt may have set DEAD back to RUNNING or FAILED.
    if (before.countedFailed === true) return { changed: false, dead };
    return { ...counted(await this.update({
      Key: jobKey(jobId),
      UpdateExpression: 'ADD failed :one SET updatedAt = :now',
      ExpressionAttributeValues: { ':one': 1, ':now': now() },
      ReturnValues: 'ALL_NEW',
    })), dead };
  }

  /** A message that reached the DLQ without belonging to a partition of the plan (or to any job). */
  async recordDeadMessage(jobId: string | undefined, messageId: string, error: string, body: string): Promise<void> {
    await this.doc.send(new PutCommand({
      TableName: this.tableName, Item: { pk: `JOB#${jobId ?? 'unknown'}`, sk: `DEAD#${messageId}`, error, body: body.slice(0, 2000), updatedAt: now(), expiresAt: this.expiresAt() },
    }));
    if (jobId) await this.appendJobError(jobId, `message ${messageId} dead-lettered: ${error}`);
  }

  /**
   * Claims the finalize step: RUNNING → FINALIZING, or a FINALIZING claim older than `staleFinalizeMs` (its
   * function died). `unannounced` when the job is final but not notified; `busy` while another claim runs.
   */
  async startFinalize(jobId: string): Promise<FinalizeClaim> {
    const t = Date.now();
    const claimed = await this.update({
      Key: jobKey(jobId),
      UpdateExpression: 'SET #s = :finalizing, finalizeStartedAt = :t, updatedAt = :now',
      ConditionExpression: '#s = :running OR (#s = :finalizing AND finalizeStartedAt < :stale)',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':finalizing': 'FINALIZING', ':running': 'RUNNING', ':t': t, ':stale': t - (this.options.staleFinalizeMs ?? 15 * 60_000), ':now': now() },
      ReturnValues: 'ALL_NEW',
    });
    if (claimed) return { claimed: true, claim: t };
    const job = await this.getJob(jobId);
    if (!job) throw new Error(`job ${jobId} is not known`);
    if ((job.status === 'SUCCEEDED' || job.status === 'FAILED') && !job.notified) return { claimed: false, reason: 'unannounced' };
    return { claimed: false, reason: job.status === 'FINALIZING' || job.status === 'PLANNED' ? 'busy' : 'done' };
  }

  /** Any FINALIZING claim may finish: a claim taken over from a function presumed dead merges the same parts. */
  async finishJob(jobId: string, _claim: number, status: 'SUCCEEDED' | 'FAILED', errors: string[]): Promise<boolean> {
    return (await this.update({
      Key: jobKey(jobId),
      UpdateExpression: 'SET #s = :status, errors = :errors, notified = :false, updatedAt = :now, finishedAt = :now, expiresAt = :exp REMOVE finalizeStartedAt',
      ConditionExpression: '#s = :finalizing',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':status': status, ':errors': errors, ':false': false, ':finalizing': 'FINALIZING', ':now': now(), ':exp': this.expiresAt() },
      ReturnValues: 'UPDATED_NEW',
    })) !== undefined;
  }

  /**
   * SQS retries a failed finalize. A transient failure before the last receive gives the claim back
   * (FINALIZING → RUNNING, only the claim `claim` names), so that the next receive claims and merges again
   * instead of finding the job busy. The last receive (or the DLQ consumer) or a permanent failure (a merge
   * that would fail the same way again) settles it: the job is FAILED with the reason, not yet notified.
   * True only when the job failed.
   */
  async finalizeFailed(jobId: string, claim: number | undefined, failure: Failure): Promise<boolean> {
    if (!failure.lastAttempt && !failure.permanent) {
      if (claim !== undefined) {
        await this.update({
          Key: jobKey(jobId),
          UpdateExpression: 'SET #s = :running, updatedAt = :now REMOVE finalizeStartedAt',
          ConditionExpression: '#s = :finalizing AND finalizeStartedAt = :claim',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':running': 'RUNNING', ':finalizing': 'FINALIZING', ':claim': claim, ':now': now() },
        });
      }
      return false;
    }
    return (await this.update({
      Key: jobKey(jobId),
      UpdateExpression: 'SET #s = :failed, errors = list_append(if_not_exists(errors, :empty), :e), notified = :false, updatedAt = :now, finishedAt = :now, expiresAt = :exp REMOVE finalizeStartedAt',
      ConditionExpression: '#s IN (:running, :finalizing)',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: {
        ':failed': 'FAILED', ':running': 'RUNNING', ':finalizing': 'FINALIZING', ':e': [failure.error], ':empty': [], ':false': false, ':now': now(), ':exp': this.expiresAt(),
      },
      ReturnValues: 'ALL_NEW',
    })) !== undefined;
  }

  /**
   * Claims the right to publish the completion event of a finished job: one claim per finish, so duplicate
   * finalize deliveries publish once. A claim older than `staleMs` (its function died before publishing)
   * may be taken again. Returns the job when this call holds the claim.
   */
  async claimNotify(jobId: string, staleMs: number): Promise<JobItem | undefined> {
    const t = Date.now();
    return await this.update({
      Key: jobKey(jobId),
      UpdateExpression: 'SET notifyClaim = :t',
      ConditionExpression: 'notified = :false AND (attribute_not_exists(notifyClaim) OR notifyClaim < :stale)',
      ExpressionAttributeValues: { ':t': t, ':false': false, ':stale': t - staleMs },
      ReturnValues: 'ALL_NEW',
    }) as JobItem | undefined;
  }

  async releaseNotify(jobId: string): Promise<void> {
    await this.update({ Key: jobKey(jobId), UpdateExpression: 'REMOVE notifyClaim' });
  }

  async markNotified(jobId: string): Promise<void> {
    await this.update({ Key: jobKey(jobId), UpdateExpression: 'SET notified = :true REMOVE notifyClaim', ExpressionAttributeValues: { ':true': true } });
  }

  async partitions(jobId: string): Promise<PartitionItem[]> {
    const out: PartitionItem[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(new QueryCommand({
        TableName: this.tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :part)',
        ExpressionAttributeValues: { ':pk': `JOB#${jobId}`, ':part': 'PART#' }, ExclusiveStartKey: start, ConsistentRead: true,
      }));
      out.push(...(page.Items ?? []) as PartitionItem[]);
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async status(jobId: string): Promise<JobStatusView | undefined> {
    const job = await this.getJob(jobId);
    if (!job) return undefined;
    const parts = await this.partitions(jobId);
    return {
      // An INVALID record is written by an update, which may not carry id/op: the caller's id is the id.
      id: job.id ?? jobId, op: job.op ?? 'unknown op', status: reportedStatus(job.status),
      total: job.total, done: job.done, failed: parts.filter((p) => p.status === 'FAILED' || p.status === 'DEAD').length,
      output: job.output, ...(job.tiles ? { tiles: { planned: job.tilesPlanned ?? 0, total: job.tiles } } : {}),
      partitions: parts.map((p) => ({ id: p.id, status: p.status, attempts: p.attempts, ...(p.error ? { error: p.error } : {}) })),
      errors: job.errors ?? [],
    };
  }

  /**
   * Makes FAILED/DEAD partitions, and unsettled ones past their deadline (stuck), pending again, and a
   * FAILED job RUNNING, so that their new messages are counted and the job is finalized again. Returns the
   * partition ids to send; `finalize` when nothing is to be sent again but the job must be finalized again
   * (its finalize died); `submission` when the job died in the jobs stage (its message, to send again).
   */
  async redrive(jobId: string): Promise<{ partitions: string[]; finalize: boolean; submission?: string }> {
    const job = await this.getJob(jobId);
    if (!job) throw new Error(`job ${jobId} is not known`);
    if (job.submission) return { partitions: [], finalize: false, submission: job.submission };
    const t = epoch();
    const again = (await this.partitions(jobId)).filter((p) =>
      p.status === 'FAILED' || p.status === 'DEAD' || p.countedFailed || (p.status === 'RUNNING' && (p.sweepAt ?? Infinity) < t));
    for (const p of again) {
      const before = await this.update({
        Key: partKey(jobId, p.id), UpdateExpression: 'SET #s = :failed, updatedAt = :now REMOVE sweep, sweepAt, countedFailed',
        ConditionExpression: '#s IN (:dead, :failed, :running)', ReturnValues: 'ALL_OLD',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':failed': 'FAILED', ':dead': 'DEAD', ':running': 'RUNNING', ':now': now() },
      });
      if (before?.countedFailed === true) {
        await this.update({ Key: jobKey(jobId), UpdateExpression: 'ADD failed :minus', ExpressionAttributeValues: { ':minus': -1 } });
      }
    }
    const reopened = await this.update({
      Key: jobKey(jobId), UpdateExpression: 'SET #s = :running, updatedAt = :now REMOVE notified, notifyClaim, expiresAt',
      ConditionExpression: '#s = :failedJob', ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':running': 'RUNNING', ':failedJob': 'FAILED', ':now': now() },
      ReturnValues: 'ALL_NEW',
    });
    // A tile not planned yet (its plan-tile died) comes before the merge: the CLI sends its plan-tile again.
    const complete = reopened && Number(reopened.done) === Number(reopened.total) && Number(reopened.tilesPlanned ?? 0) >= Number(reopened.tiles ?? 0);
    return { partitions: again.map((p) => p.id), finalize: !again.length && !!complete };
  }

  private expiresAt(): number {
    return epoch() + Math.round((this.options.retentionDays ?? 30) * 86400);
  }

  /** A conditional update: the attributes asked for, or undefined when the condition did not hold. */
  private async update(input: UpdateInput): Promise<Record<string, unknown> | undefined> {
    try {
      return (await this.doc.send(new UpdateCommand({ TableName: this.tableName, ...input }))).Attributes;
    } catch (e) {
      if ((e as Error).name === 'ConditionalCheckFailedException') return undefined;
      throw e;
    }
  }
}

/** The counters a job update returned, and whether they settle the job (every partition done or failed). */
function counted(attrs: Record<string, unknown> | undefined): PartitionOutcome {
  if (!attrs) return { changed: true };
  const counts = countsOf(attrs);
  return { changed: true, counts, finalize: allSettled(counts) };
}

function countsOf(attrs: Record<string, unknown>): Counts {
  return {
    done: Number(attrs.done), failed: Number(attrs.failed), total: Number(attrs.total),
    ...(attrs.tiles !== undefined ? { tiles: Number(attrs.tiles), tilesPlanned: Number(attrs.tilesPlanned ?? 0) } : {}),
  };
}

export function createJobStore(doc: DynamoDBDocumentClient, tableName: string, options: StoreOptions = {}): DynamoJobStore {
  return new DynamoJobStore(doc, tableName, options);
}

export type JobStore = DynamoJobStore;
