/**
 * A call the gateway refuses (down, restarting, overloaded) is made due at once in PostgreSQL, so that the
 * reconciler's next pass (every minute) sends it again. Without this it would wait for the dispatch timeout
 * (`EOFN_DISPATCH_TIMEOUT_SECONDS`, an hour by default), which is there for calls lost after the gateway
 * took them. The refusal still reaches the caller. Submissions are not covered: a refused one is the
 * submitter's to see (its `eofn submit` fails), and a re-sent one waits for its lease.
 *
 * @example
 * const dispatcher = dueOnRefusal(gatewayDispatcher(config), store);
 */
import type { DispatchMessage } from './dispatchMessage.ts';
import type { Dispatcher } from './dispatcher.ts';

export interface DueMarker {
  /** Makes the work this message carries due at the reconciler's next pass. */
  makeDue(message: DispatchMessage): Promise<void>;
}

export function dueOnRefusal<D extends Dispatcher>(dispatcher: D, store: DueMarker): D {
  return {
    ...dispatcher,
    async dispatch(message) {
      try {
        await dispatcher.dispatch(message);
      } catch (e) {
        // The refusal is what the caller must hear; a failure to mark it leaves the dispatch timeout.
        await store.makeDue(message).catch(() => undefined);
        throw e;
      }
    },
  };
}
