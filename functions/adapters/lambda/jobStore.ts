/**
 * The state of jobs in DynamoDB, one table: a job item (`pk=JOB#<id>, sk=JOB`) with its counters, one item
 * per partition that has been attempted (`sk=PART#<id>`), one per dead-lettered message (`sk=DEAD#<msg>`).
 * Every change is a conditional single-item write, with no transactions, so a duplicate delivery cannot
 * count twice: a partition's counter `ADD` happens only after its own status transition succeeded.
 * An unsettled partition carries `sweep`/`sweepAt` (the sparse `sweep` index): the time by which SQS must have
 * retried or dead-lettered it, so the sweeper finds what no message will report. Finished jobs get `expiresAt`
 * (the table's TTL attribute) after the configured retention; partition items get it when written.
 *
 * @example
 * const store = createJobStore(documentClient(), 'eofn-jobs');
 * const counts = await store.partitionSucceeded('job-1', 'r0c0', 2.1); // { done: 3, failed: 0, total: 8 }
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export type StoredJobStatus = 'PLANNED' | 'RUNNING' | 'FINALIZING' | 'SUCCEEDED' | 'FAILED' | 'INVALID';
export type StoredPartitionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'DEAD';

export interface JobItem {
  id: string;
  /** A submission that died in the jobs stage (its message body), kept for `eofn redrive`. */
  submission?: string;
  op: string;
  status: StoredJobStatus;
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
}

/** The sparse index of unsettled partitions (and finalize claims), by deadline. */
export const SWEEP_INDEX = 'sweep';
const OPEN = 'OPEN';

export interface Counts { done: number; failed: number; total: number }

const jobKey = (id: string) => ({ pk: `JOB#${id}`, sk: 'JOB' });
const partKey = (id: string, part: string) => ({ pk: `JOB#${id}`, sk: `PART#${part}` });
const now = () => new Date().toISOString();
const epoch = () => Math.floor(Date.now() / 1000);

export function createJobStore(doc: DynamoDBDocumentClient, tableName: string, options: StoreOptions = {}) {
  const TableName = tableName;
  const expiresAt = () => epoch() + Math.round((options.retentionDays ?? 30) * 86400);

  async function update(input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>) {
    try {
      return (await doc.send(new UpdateCommand({ TableName, ...input }))).Attributes;
    } catch (e) {
      if ((e as Error).name === 'ConditionalCheckFailedException') return undefined;
      throw e;
    }
  }

  const countsOf = (a: Record<string, unknown> | undefined): Counts | undefined =>
    a && { done: Number(a.done), failed: Number(a.failed), total: Number(a.total) };

  return {
    async getJob(id: string): Promise<JobItem | undefined> {
      const out = await doc.send(new GetCommand({ TableName, Key: jobKey(id), ConsistentRead: true }));
      return out.Item as JobItem | undefined;
    },

    /** The job's status and counters alone: one small read, however many partitions the job has. */
    async progress(id: string): Promise<(Counts & { status: StoredJobStatus }) | undefined> {
      const out = await doc.send(new GetCommand({
        TableName, Key: jobKey(id), ConsistentRead: true,
        ProjectionExpression: '#s, #total, #done, #failed',
        ExpressionAttributeNames: { '#s': 'status', '#total': 'total', '#done': 'done', '#failed': 'failed' },
      }));
      const i = out.Item;
      return i && { status: i.status as StoredJobStatus, ...countsOf(i)! };
    },

    /** Records a planned job unless the id is known (an INVALID record may be replaced); else returns it. */
    async createJob(job: Omit<JobItem, 'createdAt' | 'updatedAt' | 'done' | 'failed' | 'errors'>): Promise<{ created: boolean; existing?: JobItem }> {
      try {
        await doc.send(new PutCommand({
          TableName, Item: { ...jobKey(job.id), ...job, done: 0, failed: 0, errors: [], createdAt: now(), updatedAt: now() },
          // An INVALID record, or one left by a submission that died in the jobs stage, is replaced.
          ConditionExpression: 'attribute_not_exists(pk) OR #s = :invalid OR attribute_exists(submission)',
          ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':invalid': 'INVALID' },
        }));
        return { created: true };
      } catch (e) {
        if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
        return { created: false, existing: await this.getJob(job.id) };
      }
    },

    /** An invalid submission; never overwrites a valid job that has the same id. */
    async recordInvalid(id: string, op: string, errors: string[]): Promise<void> {
      await update({
        Key: jobKey(id),
        UpdateExpression: 'SET id = :id, #s = :invalid, #op = :op, #errors = :errors, #total = :zero, #done = :zero, #failed = :zero, createdAt = if_not_exists(createdAt, :now), updatedAt = :now, expiresAt = :exp',
        ConditionExpression: 'attribute_not_exists(pk) OR #s = :invalid',
        // `total` is a DynamoDB reserved word; the others are named alike for clarity.
        ExpressionAttributeNames: { '#s': 'status', '#op': 'op', '#errors': 'errors', '#total': 'total', '#done': 'done', '#failed': 'failed' },
        ExpressionAttributeValues: { ':id': id, ':invalid': 'INVALID', ':op': op, ':errors': errors, ':zero': 0, ':now': now(), ':exp': expiresAt() },
      });
    },

    /**
     * A submission that died in the jobs stage on every receive (timeout, out of memory): the job is FAILED
     * with the reason and keeps the message body for `eofn redrive`. A job that got past planning is left alone.
     */
    async submissionDead(id: string, op: string, reason: string, body: string): Promise<boolean> {
      return (await update({
        Key: jobKey(id),
        UpdateExpression: 'SET id = :id, #s = :failed, #op = if_not_exists(#op, :op), #errors = list_append(if_not_exists(#errors, :empty), :e), submission = :body, notified = if_not_exists(notified, :false), finishedAt = :now, #total = if_not_exists(#total, :zero), #done = if_not_exists(#done, :zero), #failed = if_not_exists(#failed, :zero), createdAt = if_not_exists(createdAt, :now), updatedAt = :now, expiresAt = :exp',
        ConditionExpression: 'attribute_not_exists(pk) OR #s IN (:invalid, :planned, :failed)',
        ExpressionAttributeNames: { '#s': 'status', '#op': 'op', '#errors': 'errors', '#total': 'total', '#done': 'done', '#failed': 'failed' },
        ExpressionAttributeValues: {
          ':id': id, ':failed': 'FAILED', ':invalid': 'INVALID', ':planned': 'PLANNED', ':op': op, ':e': [reason], ':empty': [], ':body': body, ':false': false,
          ':zero': 0, ':now': now(), ':exp': expiresAt(),
        },
        ReturnValues: 'ALL_NEW',
      })) !== undefined;
    },

    async appendJobError(id: string, error: string): Promise<void> {
      await update({
        Key: jobKey(id),
        UpdateExpression: 'SET errors = list_append(if_not_exists(errors, :empty), :e), updatedAt = :now',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':e': [error], ':empty': [], ':now': now() },
      });
    },

    async setPreparedRef(id: string, preparedRef: string, preparedDigest: string): Promise<void> {
      await update({
        Key: jobKey(id), UpdateExpression: 'SET preparedRef = :ref, preparedDigest = :digest',
        ExpressionAttributeValues: { ':ref': preparedRef, ':digest': preparedDigest },
      });
    },

    /** Notes how many partition messages are out (only rises, only while PLANNED). */
    async noteFanOut(id: string, sent: number): Promise<void> {
      await update({
        Key: jobKey(id), UpdateExpression: 'SET fannedOut = :n',
        ConditionExpression: '#s = :planned AND (attribute_not_exists(fannedOut) OR fannedOut < :n)',
        ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':n': sent, ':planned': 'PLANNED' },
      });
    },

    /** PLANNED → RUNNING once every partition message went out. */
    async markFannedOut(id: string): Promise<void> {
      await update({
        Key: jobKey(id), UpdateExpression: 'SET #s = :running, updatedAt = :now', ConditionExpression: '#s = :planned',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':running': 'RUNNING', ':planned': 'PLANNED', ':now': now() },
      });
    },

    /**
     * Starts an attempt that must be settled (retried or dead-lettered by SQS) by `sweepAt` (epoch seconds);
     * the attempt number, or undefined when the partition already succeeded (a duplicate delivery).
     */
    async startPartition(jobId: string, part: string, sweepAt: number): Promise<number | undefined> {
      const attrs = await update({
        Key: partKey(jobId, part),
        UpdateExpression: 'SET #s = :running, id = :id, updatedAt = :now, sweep = :open, sweepAt = :at, expiresAt = :exp REMOVE #e ADD attempts :one',
        ConditionExpression: 'attribute_not_exists(#s) OR #s <> :succeeded',
        ExpressionAttributeNames: { '#s': 'status', '#e': 'error' },
        ExpressionAttributeValues: {
          ':running': 'RUNNING', ':succeeded': 'SUCCEEDED', ':id': part, ':one': 1, ':now': now(), ':open': OPEN, ':at': sweepAt, ':exp': expiresAt(),
        },
        ReturnValues: 'ALL_NEW',
      });
      return attrs === undefined ? undefined : Number(attrs.attempts);
    },

    /** Notes why an attempt is about to end (its function's timeout) while the attempt is still the current one. */
    async noteAttemptEnding(jobId: string, part: string, attempt: number, error: string): Promise<void> {
      await update({
        Key: partKey(jobId, part),
        UpdateExpression: 'SET #e = :error, updatedAt = :now ADD timeouts :one',
        ConditionExpression: '#s = :running AND attempts = :attempt',
        ExpressionAttributeNames: { '#s': 'status', '#e': 'error' },
        ExpressionAttributeValues: { ':error': error, ':running': 'RUNNING', ':attempt': attempt, ':now': now(), ':one': 1 },
      });
    },

    async getPartition(jobId: string, part: string): Promise<PartitionItem | undefined> {
      const out = await doc.send(new GetCommand({ TableName, Key: partKey(jobId, part), ConsistentRead: true }));
      return out.Item as PartitionItem | undefined;
    },

    /** Unsettled partitions whose deadline passed: what the sweeper settles. */
    async overduePartitions(nowEpoch = epoch()): Promise<{ jobId: string; id: string; attempts: number; error?: string }[]> {
      const out: { jobId: string; id: string; attempts: number; error?: string }[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(new QueryCommand({
          TableName, IndexName: SWEEP_INDEX, KeyConditionExpression: 'sweep = :open AND sweepAt < :now',
          ExpressionAttributeValues: { ':open': OPEN, ':now': nowEpoch }, ExclusiveStartKey: start,
        }));
        for (const i of page.Items ?? []) {
          if (String(i.sk).startsWith('PART#')) out.push({ jobId: String(i.pk).slice(4), id: String(i.id), attempts: Number(i.attempts ?? 0), error: i.error });
        }
        start = page.LastEvaluatedKey;
      } while (start);
      return out;
    },

    /** Marks a partition done and counts it; the counts when this call made the transition, else undefined. */
    async partitionSucceeded(jobId: string, part: string, seconds: number): Promise<Counts | undefined> {
      const before = await update({
        Key: partKey(jobId, part),
        UpdateExpression: 'SET #s = :succeeded, id = :id, seconds = :sec, updatedAt = :now REMOVE sweep, sweepAt',
        ConditionExpression: 'attribute_not_exists(#s) OR #s <> :succeeded',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':succeeded': 'SUCCEEDED', ':id': part, ':sec': seconds, ':now': now() },
        ReturnValues: 'ALL_OLD',
      });
      if (before === undefined) return undefined;
      const wasDead = before.countedFailed === true;
      if (wasDead) await update({ Key: partKey(jobId, part), UpdateExpression: 'REMOVE countedFailed' });
      return countsOf(await update({
        Key: jobKey(jobId),
        UpdateExpression: `ADD done :one${wasDead ? ', failed :minus' : ''} SET updatedAt = :now`,
        ExpressionAttributeValues: { ':one': 1, ':now': now(), ...(wasDead ? { ':minus': -1 } : {}) },
        ReturnValues: 'ALL_NEW',
      }));
    },

    /**
     * Records a failed attempt. On the last attempt (`dead`) the partition counts as failed; the counts are
     * returned when this call made that transition.
     */
    async partitionFailed(jobId: string, part: string, error: string, dead: boolean): Promise<Counts | undefined> {
      const before = await update({
        Key: partKey(jobId, part),
        UpdateExpression: `SET #s = :status, id = :id, #e = :error, updatedAt = :now, expiresAt = :exp${dead ? ', countedFailed = :true REMOVE sweep, sweepAt' : ''}`,
        ConditionExpression: 'attribute_not_exists(#s) OR #s <> :succeeded',
        ExpressionAttributeNames: { '#s': 'status', '#e': 'error' },
        ExpressionAttributeValues: {
          ':status': dead ? 'DEAD' : 'FAILED', ':succeeded': 'SUCCEEDED', ':id': part, ':error': error, ':now': now(), ':exp': expiresAt(),
          ...(dead ? { ':true': true } : {}),
        },
        ReturnValues: 'ALL_OLD',
      });
      // Counted by the marker, not the status: a duplicate's later attempt may have set DEAD back to RUNNING or FAILED.
      if (!dead || before === undefined || before.countedFailed === true) return undefined;
      return countsOf(await update({
        Key: jobKey(jobId),
        UpdateExpression: 'ADD failed :one SET updatedAt = :now',
        ExpressionAttributeValues: { ':one': 1, ':now': now() },
        ReturnValues: 'ALL_NEW',
      }));
    },

    /** A message that reached the DLQ without belonging to a partition of the plan (or to any job). */
    async recordDeadMessage(jobId: string | undefined, messageId: string, error: string, body: string): Promise<void> {
      await doc.send(new PutCommand({
        TableName, Item: { pk: `JOB#${jobId ?? 'unknown'}`, sk: `DEAD#${messageId}`, error, body: body.slice(0, 2000), updatedAt: now(), expiresAt: expiresAt() },
      }));
      if (jobId) await this.appendJobError(jobId, `message ${messageId} dead-lettered: ${error}`);
    },

    /**
     * Claims the finalize step: RUNNING → FINALIZING, or a FINALIZING claim older than `staleMs` (its
     * function died). 'done' when the job is already final and notified; 'busy' while another claim runs.
     */
    async claimFinalize(jobId: string, staleMs: number): Promise<JobItem | 'done' | 'busy'> {
      const t = Date.now();
      const claimed = await update({
        Key: jobKey(jobId),
        UpdateExpression: 'SET #s = :finalizing, finalizeStartedAt = :t, updatedAt = :now',
        ConditionExpression: '#s = :running OR (#s = :finalizing AND finalizeStartedAt < :stale)',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':finalizing': 'FINALIZING', ':running': 'RUNNING', ':t': t, ':stale': t - staleMs, ':now': now() },
        ReturnValues: 'ALL_NEW',
      });
      if (claimed) return claimed as JobItem;
      const job = await this.getJob(jobId);
      if (!job) throw new Error(`job ${jobId} is not known`);
      if ((job.status === 'SUCCEEDED' || job.status === 'FAILED') && !job.notified) return job;
      return job.status === 'FINALIZING' || job.status === 'PLANNED' ? 'busy' : 'done';
    },

    async finishJob(jobId: string, status: 'SUCCEEDED' | 'FAILED', errors: string[]): Promise<void> {
      await update({
        Key: jobKey(jobId),
        UpdateExpression: 'SET #s = :status, errors = :errors, notified = :false, updatedAt = :now, finishedAt = :now, expiresAt = :exp REMOVE finalizeStartedAt',
        ConditionExpression: '#s = :finalizing',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':status': status, ':errors': errors, ':false': false, ':finalizing': 'FINALIZING', ':now': now(), ':exp': expiresAt() },
      });
    },

    /**
     * The finalize step died on every receive (its DLQ consumer calls this): the job is FAILED with the reason,
     * not yet notified. False when the job had already finished.
     */
    async finalizeDead(jobId: string, reason: string): Promise<boolean> {
      return (await update({
        Key: jobKey(jobId),
        UpdateExpression: 'SET #s = :failed, errors = list_append(if_not_exists(errors, :empty), :e), notified = :false, updatedAt = :now, finishedAt = :now, expiresAt = :exp REMOVE finalizeStartedAt',
        ConditionExpression: '#s IN (:running, :finalizing)',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: {
          ':failed': 'FAILED', ':running': 'RUNNING', ':finalizing': 'FINALIZING', ':e': [reason], ':empty': [], ':false': false, ':now': now(), ':exp': expiresAt(),
        },
        ReturnValues: 'ALL_NEW',
      })) !== undefined;
    },

    /**
     * Claims the right to publish the completion event of a finished job: one claim per finish, so duplicate
     * finalize deliveries publish once. A claim older than `staleMs` (its function died before publishing)
     * may be taken again. Returns the job when this call holds the claim.
     */
    async claimNotify(jobId: string, staleMs: number): Promise<JobItem | undefined> {
      const t = Date.now();
      return await update({
        Key: jobKey(jobId),
        UpdateExpression: 'SET notifyClaim = :t',
        ConditionExpression: 'notified = :false AND (attribute_not_exists(notifyClaim) OR notifyClaim < :stale)',
        ExpressionAttributeValues: { ':t': t, ':false': false, ':stale': t - staleMs },
        ReturnValues: 'ALL_NEW',
      }) as JobItem | undefined;
    },

    async releaseNotify(jobId: string): Promise<void> {
      await update({ Key: jobKey(jobId), UpdateExpression: 'REMOVE notifyClaim' });
    },

    async markNotified(jobId: string): Promise<void> {
      await update({ Key: jobKey(jobId), UpdateExpression: 'SET notified = :true REMOVE notifyClaim', ExpressionAttributeValues: { ':true': true } });
    },

    async partitions(jobId: string): Promise<PartitionItem[]> {
      const out: PartitionItem[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(new QueryCommand({
          TableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :part)',
          ExpressionAttributeValues: { ':pk': `JOB#${jobId}`, ':part': 'PART#' }, ExclusiveStartKey: start, ConsistentRead: true,
        }));
        out.push(...(page.Items ?? []) as PartitionItem[]);
        start = page.LastEvaluatedKey;
      } while (start);
      return out;
    },

    /**
     * Makes FAILED/DEAD partitions, and unsettled ones past their deadline (stuck), pending again, and a
     * FAILED job RUNNING, so that their new messages are counted and the job is finalized again. Returns the
     * partition ids to send; `finalize` when nothing is to be sent again but the job must be finalized again
     * (its finalize died); `submission` when the job died in the jobs stage (its message, to send again).
     */
    async resetForRedrive(jobId: string): Promise<{ partitions: string[]; finalize: boolean; submission?: string }> {
      const job = await this.getJob(jobId);
      if (!job) throw new Error(`job ${jobId} is not known`);
      if (job.submission) return { partitions: [], finalize: false, submission: job.submission };
      const t = epoch();
      const again = (await this.partitions(jobId)).filter((p) =>
        p.status === 'FAILED' || p.status === 'DEAD' || p.countedFailed || (p.status === 'RUNNING' && (p.sweepAt ?? Infinity) < t));
      for (const p of again) {
        const before = await update({
          Key: partKey(jobId, p.id), UpdateExpression: 'SET #s = :failed, updatedAt = :now REMOVE sweep, sweepAt, countedFailed',
          ConditionExpression: '#s IN (:dead, :failed, :running)', ReturnValues: 'ALL_OLD',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':failed': 'FAILED', ':dead': 'DEAD', ':running': 'RUNNING', ':now': now() },
        });
        if (before?.countedFailed === true) {
          await update({ Key: jobKey(jobId), UpdateExpression: 'ADD failed :minus', ExpressionAttributeValues: { ':minus': -1 } });
        }
      }
      const reopened = await update({
        Key: jobKey(jobId), UpdateExpression: 'SET #s = :running, updatedAt = :now REMOVE notified, notifyClaim, expiresAt',
        ConditionExpression: '#s = :failedJob', ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':running': 'RUNNING', ':failedJob': 'FAILED', ':now': now() },
        ReturnValues: 'ALL_NEW',
      });
      const complete = reopened && Number(reopened.done) === Number(reopened.total);
      return { partitions: again.map((p) => p.id), finalize: !again.length && !!complete };
    },
  };
}

export type JobStore = ReturnType<typeof createJobStore>;
