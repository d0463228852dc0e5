/**
 * Dispatch for OpenFaaS CE, whose queue-worker delivers one async call at a time across the cluster: the
 * partitions and finalize calls go straight to the op functions, as synchronous calls through the gateway
 * (`POST /function/<name>`), with at most `concurrency` partitions of an op sent or running at once,
 * counted in PostgreSQL (see claimDispatchSlots). The call is awaited in the background: the handler that
 * dispatched answers at once, and when a call settles the freed slot is filled from PostgreSQL. A busy pod
 * (429) or a failing gateway (502, 503, no answer) did not take the partition: it is released and sent
 * again a few seconds later. Anything else means the op's handler ran and recorded its outcome (a 504 is
 * the watchdog giving up on a call that may still finish; its lease decides). Jobs still go through the
 * queue: they are short and the jobs function records them before any work. Exactly-once effect comes
 * from the leases and conditional updates, as with the queue: a duplicate call finds nothing pending.
 *
 * @example
 * const dispatcher = directDispatcher({ gatewayUrl, functionPrefix: 'eofn-', concurrency: 5, store, queue: gatewayDispatcher(config) });
 * await dispatcher.pump(); // sends what fits the free slots
 */
import type { JobMessage } from '../../core/engine/messages.ts';
import { CALL_TOKEN_HEADER } from './callToken.ts';
import { functionFor, type DispatchMessage } from './dispatchMessage.ts';
import type { Dispatcher } from './dispatcher.ts';
import type { PostgresJobStore } from './jobStore.ts';

export interface DirectOptions {
  gatewayUrl: string;
  functionPrefix: string;
  /** Partitions of one op sent or running at once (the replicas the edition allows). */
  concurrency: number;
  store: Pick<PostgresJobStore, 'claimDispatchSlots' | 'releaseDispatch'>;
  /** Where job messages go (the gateway's async queue). */
  queue: Dispatcher;
  /** The deployment's call token, sent with every call (the called function refuses calls without it). */
  callToken?: string;
  /** Seconds before a call no pod took is tried again. */
  retrySeconds?: number;
  /** Longest a finalize call is retried in this process before the reconciler's lease takes over. */
  finalizeRetryLimit?: number;
  fetch?: typeof fetch;
  log?(event: string, fields?: Record<string, unknown>): void;
}

export interface DirectDispatcher extends Dispatcher {
  /** Sends the partitions that fit the free slots; returns how many it sent. */
  pump(): Promise<number>;
  /** Resolves when no call this process made is in flight (tests, shutdown). */
  idle(): Promise<void>;
}

const NOT_TAKEN = new Set([0, 429, 502, 503]);

export function directDispatcher(opts: DirectOptions): DirectDispatcher {
  const send = opts.fetch ?? fetch;
  const retryMs = (opts.retrySeconds ?? 5) * 1000;
  const log = opts.log ?? (() => {});
  let inFlight = 0;
  let pumping: Promise<number> | undefined;
  let again = false;

  async function call(message: DispatchMessage): Promise<number> {
    const url = `${opts.gatewayUrl.replace(/\/+$/, '')}/function/${functionFor(message, opts.functionPrefix)}`;
    try {
      const headers = { 'content-type': 'application/json', ...(opts.callToken ? { [CALL_TOKEN_HEADER]: opts.callToken } : {}) };
      const res = await send(url, { method: 'POST', headers, body: JSON.stringify(message) });
      await res.arrayBuffer();
      return res.status;
    } catch (e) {
      log('direct call failed', { url, error: (e as Error).message });
      return 0;
    }
  }

  function start(message: DispatchMessage): void {
    inFlight++;
    void (async () => {
      try {
        for (let tries = 1; ; tries++) {
          const status = await call(message);
          if (!NOT_TAKEN.has(status)) return;
          if (message.kind === 'partition') {
            // Back in PostgreSQL's queue: the slot is free for whatever is due first.
            await opts.store.releaseDispatch(message.jobId, message.partition.id, retryMs / 1000);
            setTimeout(() => void pump(), retryMs).unref();
            return;
          }
          if (tries >= (opts.finalizeRetryLimit ?? 60)) return; // the finalize lease brings it back
          await new Promise((r) => setTimeout(r, retryMs));
        }
      } catch (e) {
        log('direct dispatch failed', { jobId: 'jobId' in message ? message.jobId : undefined, error: (e as Error).message });
      } finally {
        inFlight--;
        void pump();
      }
    })();
  }

  function pump(): Promise<number> {
    // One pass at a time in this process; a request during a pass runs one more pass after it.
    if (pumping) {
      again = true;
      return pumping;
    }
    pumping = (async () => {
      let sent = 0;
      do {
        again = false;
        const due = await opts.store.claimDispatchSlots(opts.concurrency);
        for (const message of due) start(message);
        sent += due.length;
      } while (again);
      return sent;
    })().catch((e) => {
      log('direct dispatch pump failed', { error: (e as Error).message });
      return 0;
    }).finally(() => {
      pumping = undefined;
    });
    return pumping;
  }

  return {
    pump,
    async dispatch(message: DispatchMessage | JobMessage) {
      // Planning work (a job, a tile to plan) goes through the queue-worker: it holds no op's call slot.
      if (message.kind === 'job' || message.kind === 'plan-tile') return opts.queue.dispatch(message);
      start(message);
    },
    async idle() {
      while (inFlight > 0 || pumping) await new Promise((r) => setTimeout(r, 20));
    },
  };
}
