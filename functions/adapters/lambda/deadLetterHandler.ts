/**
 * The consumer of every dead-letter queue. A message lands in a DLQ when its function failed
 * `maxReceiveCount` times, and a function that timed out or ran out of memory never reached its own `catch`,
 * so this is where such deaths are recorded. By the message it carries:
 * - a partition: DEAD with the reason the state can tell (a timeout the attempt noted, a function that died
 *   without a word: out of memory or a crash, or its last error), counted as failed; the job goes to finalize
 *   when that settles it (FAILED, with a completion event);
 * - a finalize: the job is FAILED with the reason and its completion event is published;
 * - a submission (jobs stage): the job is recorded FAILED with the reason and the message kept, so
 *   `eofn status` shows it and `eofn redrive` can send it again;
 * - a `plan-tile` (a fanned-out tile's planning): the job is FAILED naming the tile, its completion event is
 *   published, and `eofn redrive` sends the plan-tile of every tile not planned yet;
 * - anything else (arrival events, foreign messages): kept as a dead-message record.
 *
 * @example
 * export const handler = withObservability(createDeadLetterHandler(depsFromEnv('dead-letters')), deps);
 */
import { createHash } from 'node:crypto';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { FinalizeMessage } from '../../core/engine/index.ts';
import { canonicalJson, validateJob } from '../../core/contract/validateJob.ts';
import { finalizeFromMessage, jobFromMessage, partitionFromMessage, planTileFromMessage } from './parseMessage.ts';
import { allSettled } from '../../core/lifecycle/index.ts';
import { publishCompletion } from './publishCompletion.ts';
import type { PartitionItem } from './jobStore.ts';
import type { LambdaDeps } from './lambdaDeps.ts';

export function createDeadLetterHandler(deps: LambdaDeps) {
  const { config, store, send, logger, metrics } = deps;
  const processor = new BatchProcessor(EventType.SQS);

  async function settle(record: SQSRecord): Promise<void> {
    const kind = kindOf(record.body);
    if (kind === 'partition') return partitionDied(record);
    if (kind === 'finalize') return finalizeDied(record);
    if (kind === 'job') return submissionDied(record);
    if (kind === 'plan-tile') return planTileDied(record);
    await store.recordDeadMessage(undefined, record.messageId, `dead-lettered from ${queueOf(record)}`, record.body);
    logger.warn('dead message recorded', { messageId: record.messageId, queue: queueOf(record) });
  }

  async function partitionDied(record: SQSRecord): Promise<void> {
    const msg = partitionFromMessage(record.body);
    const part = await store.getPartition(msg.jobId, msg.partition.id);
    if (part?.status === 'SUCCEEDED' || part?.status === 'DEAD') {
      // Settled before: by the handler itself, or by this consumer in a receive that died before it sent the
      // job to finalize. A job that this left complete is sent now (finalize claims the job once).
      const job = await store.getJob(msg.jobId);
      if (job?.status === 'RUNNING' && allSettled(job)) await sendFinalize(msg.jobId);
      return;
    }
    const reason = partitionDeathReason(part, config.maxReceiveCount);
    const outcome = await store.partitionFailed(msg.jobId, msg.partition.id, { error: reason, lastAttempt: true });
    logger.error('partition dead', { jobId: msg.jobId, partition: msg.partition.id, reason });
    metrics.addMetric('PartitionsDead', MetricUnit.Count, 1);
    if (outcome.finalize) await sendFinalize(msg.jobId);
  }

  async function sendFinalize(jobId: string): Promise<void> {
    const finalize: FinalizeMessage = { kind: 'finalize', jobId };
    await send(config.finalizeQueueUrl, [finalize]);
  }

  async function finalizeDied(record: SQSRecord): Promise<void> {
    const { jobId } = finalizeFromMessage(record.body);
    const reason = `finalize: did not complete in ${config.maxReceiveCount} receive(s): the function timed out, ran out of memory or crashed (see the finalize function's log); \`eofn redrive ${jobId}\` runs it again`;
    if (await store.finalizeFailed(jobId, undefined, { error: reason, lastAttempt: true })) logger.error('finalize dead', { jobId, reason });
    await publishCompletion(deps, jobId);
    metrics.addMetric('FinalizeDead', MetricUnit.Count, 1);
  }

  /** A tile that could not be planned in every receive fails its job; finalize publishes the completion event. */
  async function planTileDied(record: SQSRecord): Promise<void> {
    const msg = planTileFromMessage(record.body)!;
    const reason = `tile ${msg.tile}: planning did not complete in ${config.maxReceiveCount} receive(s): the jobs function timed out, ran out of memory or crashed (see its log)`;
    if (await store.planTileFailed(msg.jobId, msg.tile, reason)) {
      logger.error('plan-tile dead', { jobId: msg.jobId, tile: msg.tile, reason });
      await publishCompletion(deps, msg.jobId);
    }
    metrics.addMetric('PlanTilesDead', MetricUnit.Count, 1);
  }

  async function submissionDied(record: SQSRecord): Promise<void> {
    const { raw } = await jobFromMessage(record.body);
    const { id, op } = identify(raw);
    const reason = `jobs stage: the submission did not complete in ${config.maxReceiveCount} receive(s): the function timed out, ran out of memory or crashed (see the jobs function's log); \`eofn redrive ${id}\` sends it again`;
    if (await store.submissionDead(id, op, reason, record.body)) {
      logger.error('submission dead', { jobId: id, reason });
      await publishCompletion(deps, id);
    }
    metrics.addMetric('SubmissionsDead', MetricUnit.Count, 1);
  }

  return (event: SQSEvent, context: Context) =>
    processPartialResponse(event, settle, processor, { context, throwOnFullBatchFailure: false });
}

/** Why a partition died, from what its attempts left in the table. */
export function partitionDeathReason(part: PartitionItem | undefined, maxReceiveCount: number): string {
  if (!part) return `never started: dead-lettered after ${maxReceiveCount} receive(s) without an attempt recording itself`;
  const attempts = `${part.attempts} attempt(s)`;
  const timeouts = `timed out on ${part.timeouts} of ${attempts}`;
  if (part.error?.startsWith('timed out')) return `${part.error}; ${timeouts}`;
  if (part.timeouts && part.status === 'RUNNING' && !part.error) {
    return `${timeouts} (the function's timeout); the last attempt recorded nothing (out of memory, a crash, or a timeout too close to note)`;
  }
  if (part.status === 'RUNNING' && !part.error) {
    return `no outcome recorded in ${attempts}: the function died before its timeout (out of memory, or a crash; see the function's log)`;
  }
  return `${part.error ?? 'failed'} (dead after ${attempts})`;
}

function kindOf(body: string): 'partition' | 'finalize' | 'job' | 'plan-tile' | 'other' {
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(body);
  } catch {
    return 'other';
  }
  if (m?.kind === 'partition' || m?.kind === 'finalize' || m?.kind === 'job' || m?.kind === 'plan-tile') return m.kind;
  return m && typeof m === 'object' && 'op' in m && 'items' in m ? 'job' : 'other'; // a bare job, as partners may send
}

function identify(raw: unknown): { id: string; op: string } {
  const op = String((raw as { op?: unknown } | null)?.op ?? 'unknown');
  try {
    return { id: validateJob(raw).id, op };
  } catch {
    const given = (raw as { id?: unknown } | null)?.id;
    return { id: typeof given === 'string' && given ? given : `invalid-${createHash('sha256').update(canonicalJson(raw)).digest('hex').slice(0, 16)}`, op };
  }
}

function queueOf(record: SQSRecord): string {
  return record.eventSourceARN?.split(':').pop() ?? 'a dead-letter queue';
}
