/**
 * The sweeper, run on a schedule: settles what no message will report any more. A partition still open
 * (RUNNING, or FAILED awaiting a retry) past its deadline, the time by which SQS must have retried or
 * dead-lettered it, lost its messages (or the dead-letter consumer failed): it is marked DEAD with that
 * reason, and the job goes to finalize when that settles it.
 *
 * @example
 * export const handler = withObservability(createSweepHandler(depsFromEnv('sweeper')), deps);
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { FinalizeMessage } from '../../core/engine/index.ts';
import type { LambdaDeps } from './lambdaDeps.ts';

export interface SweepOptions {
  /** The clock (epoch ms); tests move it forward. */
  now?: () => number;
}

export function createSweepHandler(deps: LambdaDeps, options: SweepOptions = {}) {
  const { config, store, send, logger, metrics } = deps;
  const now = options.now ?? Date.now;

  return async (): Promise<{ settled: string[]; finalized: string[] }> => {
    const settled: string[] = [], finalized: string[] = [];
    for (const p of await store.overduePartitions(Math.floor(now() / 1000))) {
      const reason = `no outcome by its deadline after ${p.attempts} attempt(s): its messages were lost or the dead-letter consumer did not run${p.error ? `; last error: ${p.error}` : ''}`;
      const outcome = await store.partitionFailed(p.jobId, p.id, { error: reason, lastAttempt: true });
      settled.push(`${p.jobId}/${p.id}`);
      logger.error('overdue partition settled', { jobId: p.jobId, partition: p.id, reason });
      if (outcome.finalize) {
        const message: FinalizeMessage = { kind: 'finalize', jobId: p.jobId };
        await send(config.finalizeQueueUrl, [message]);
        finalized.push(p.jobId);
      }
    }
    metrics.addMetric('PartitionsSwept', MetricUnit.Count, settled.length);
    return { settled, finalized };
  };
}
