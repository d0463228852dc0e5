/**
 * Wraps a handler with Powertools' structured logging (Lambda context in every line) and metrics (one EMF
 * document per invocation, cold starts counted) through middy.
 *
 * @example
 * export const handler = withObservability(createJobsHandler(deps), deps);
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context } from 'aws-lambda';
import type { LambdaDeps } from './lambdaDeps.ts';

export function withObservability<E, R>(handler: (event: E, context: Context) => Promise<R>, deps: Pick<LambdaDeps, 'logger' | 'metrics'>) {
  return middy(handler)
    .use(injectLambdaContext(deps.logger))
    .use(logMetrics(deps.metrics, { captureColdStartMetric: true }));
}
