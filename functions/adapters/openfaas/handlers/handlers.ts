/**
 * The handler of each function: one image, and `EOFN_FUNCTION` says which of these a deployment runs.
 *
 * @example
 * const handler = HANDLERS[config.functionName];
 */
import type { FunctionName } from '../diasConfig.ts';
import type { Handler } from './handlerContext.ts';
import { handleArrivals } from './handleArrivals.ts';
import { handleFinalize } from './handleFinalize.ts';
import { handleJob } from './handleJob.ts';
import { handlePartition } from './handlePartition.ts';
import { handleReconcile } from './handleReconcile.ts';
import { handleStacPoll } from './handleStacPoll.ts';

export const HANDLERS: Record<FunctionName, Handler> = {
  jobs: handleJob,
  'tile-reduce': handlePartition,
  composite: handlePartition,
  'coherence-merge': handlePartition,
  'parcel-aggregate': handlePartition,
  finalize: handleFinalize,
  arrivals: handleArrivals,
  reconcile: handleReconcile,
  'stac-poll': handleStacPoll,
};
