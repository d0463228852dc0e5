/**
 * The handler of each function: one image, and `EOFN_FUNCTION` says which of these a deployment runs.
 *
 * @example
 * const handler = HANDLERS[config.functionName];
 */
import { OP_NAMES } from '../../../core/ops/descriptors.ts';
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
  // Every op function runs partitions; the partition's job says which op.
  ...Object.fromEntries(OP_NAMES.map((op) => [op, handlePartition])) as Record<(typeof OP_NAMES)[number], Handler>,
  finalize: handleFinalize,
  arrivals: handleArrivals,
  reconcile: handleReconcile,
  'stac-poll': handleStacPoll,
};
