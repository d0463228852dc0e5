/**
 * What every handler gets: its configuration, the state store, the dispatcher; and what it returns (an
 * HTTP status and a JSON body, which the queue-worker posts to `X-Callback-Url` for async calls).
 *
 * @example
 * const result = await handleJob(ctx, { kind: 'job', jobRef: 's3://jobs/ndvi.json' });
 */
import { writeJobRecord } from '../../../core/engine/jobRecord.ts';
import { preparedCache } from '../../../core/engine/preparedCache.ts';
import { tilePlanCache } from '../../../core/engine/tiledWork.ts';
import type { runPartition } from '../../../core/engine/partitions.ts';
import type { JobLimits } from '../../../core/plan/jobLimits.ts';
import type { DiasConfig } from '../diasConfig.ts';
import type { Dispatcher } from '../dispatcher.ts';
import type { PostgresJobStore } from '../jobStore.ts';

export type HandlerSettings = Pick<DiasConfig,
  'maxAttempts' | 'minPartitions' | 'planFanOutTiles' | 'arrivalRulesHref' | 'stacApiUrl' | 'stacCollections' | 'stacMaxItems' | 'dispatch' | 'dispatchConcurrency'>
  & Partial<Pick<DiasConfig, 'opMemoryMb' | 'stacBbox' | 'stacLookbackHours' | 'stacSortby'>> & { jobLimits?: JobLimits };

export interface HandlerContext {
  settings: HandlerSettings;
  store: PostgresJobStore;
  dispatcher: Dispatcher;
  log(event: string, fields?: Record<string, unknown>): void;
  /** Replaces the engine step (tests and benchmarks inject failures with it, as on AWS). */
  runPartition?: typeof runPartition;
}

export interface HandlerResult {
  status: number;
  body: Record<string, unknown>;
}

export type Handler = (ctx: HandlerContext, body: unknown) => Promise<HandlerResult>;

export function ok(body: Record<string, unknown>): HandlerResult {
  return { status: 200, body };
}

export function badRequest(error: string, extra: Record<string, unknown> = {}): HandlerResult {
  return { status: 400, body: { error, ...extra } };
}

/** A job's recorded prepared job, checked against its digest; a replica running many partitions of one job reads it once. */
export const loadPreparedCached = preparedCache();

/** A multi-tile job's tile plans, checked against their recorded digests; a replica keeps the few it runs. */
export const loadTilePlanCached = tilePlanCache();

/** Writes `job.json` beside the product from the database's view of the job. */
export async function saveJobRecord(store: PostgresJobStore, jobId: string): Promise<void> {
  const [view, record] = await Promise.all([store.status(jobId), store.jobRecord(jobId)]);
  if (view?.output && record) await writeJobRecord(view.output, record);
}
