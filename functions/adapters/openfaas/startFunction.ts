/**
 * Builds a function from its environment: configuration and secrets, storages, the state store and the
 * gateway dispatcher. Returns the (not yet listening) HTTP server and a `close` for shutdown; tests call it
 * with their own environment and listen on port 0.
 *
 * @example
 * const { server, close } = await startFunction({ ...process.env, EOFN_FUNCTION: 'finalize' });
 */
import type { Server } from 'node:http';
import { diasJobLimits } from './diasJobLimits.ts';
import { loadDiasConfig } from './diasConfig.ts';
import { dueOnRefusal } from './dueOnRefusal.ts';
import { directDispatcher } from './directDispatcher.ts';
import { gatewayDispatcher, type Dispatcher } from './dispatcher.ts';
import { FunctionLifecycle, lifecycleOptions } from './functionLifecycle.ts';
import { createFunctionServer, jsonLog } from './httpAdapter.ts';
import { HANDLERS } from './handlers/handlers.ts';
import { PostgresJobStore } from './jobStore.ts';
import { archiveLimits, registerDiasStorages } from './registerDiasStorages.ts';
import { pgRequestLimiter } from './pgRequestLimiter.ts';
import type { HandlerContext } from './handlers/handlerContext.ts';

export interface StartedFunction {
  server: Server;
  listenHost: string;
  store: PostgresJobStore;
  lifecycle: FunctionLifecycle;
  close(): Promise<void>;
}

export async function startFunction(env: Record<string, string | undefined>, opts: { dispatcher?: Dispatcher; log?: HandlerContext['log']; runPartition?: HandlerContext['runPartition'] } = {}): Promise<StartedFunction> {
  const config = loadDiasConfig(env);
  const store = await PostgresJobStore.open(config.databaseUrl, config.schema, {
    leaseSeconds: config.leaseSeconds, dispatchTimeoutSeconds: config.dispatchTimeoutSeconds,
  });
  // The archive's request limits hold for the whole deployment: every replica takes slots and tokens in PostgreSQL.
  const limits = archiveLimits(config.archive);
  registerDiasStorages(config, limits ? await pgRequestLimiter(store.pool, 'archive', limits) : undefined, env);
  const dispatcher = dueOnRefusal(opts.dispatcher ?? (config.dispatch === 'direct'
    ? directDispatcher({ ...config, concurrency: config.dispatchConcurrency, retrySeconds: config.dispatchRetrySeconds, store, queue: gatewayDispatcher(config), log: opts.log ?? jsonLog(config.functionName) })
    : gatewayDispatcher(config)), store);
  const ctx: HandlerContext = {
    settings: {
      ...config,
      // The merge runs in the finalize function: its memory and /tmp are the merge's ceilings unless set otherwise.
      jobLimits: diasJobLimits(env),
    },
    store, dispatcher, log: opts.log ?? jsonLog(config.functionName), runPartition: opts.runPartition,
  };
  const lifecycle = new FunctionLifecycle(lifecycleOptions(env));
  const server = createFunctionServer(HANDLERS[config.functionName], ctx, { token: config.callToken, functionName: config.functionName }, lifecycle);
  return { server, store, lifecycle, listenHost: config.listenHost, close: () => store.close() };
}
