/**
 * How a function hands work to the next one: an asynchronous call through the OpenFaaS gateway
 * (`POST /async-function/<name>`), which the NATS JetStream queue-worker delivers later with `X-Call-Id`
 * (and posts the result to `X-Callback-Url` when given). The gateway answers 202 once the call is queued.
 *
 * @example
 * const dispatcher = gatewayDispatcher({ gatewayUrl: 'http://gateway.openfaas:8080', functionPrefix: 'eofn-' });
 * await dispatcher.dispatch(partitionMessage);
 */
import type { JobMessage } from '../../core/engine/messages.ts';
import { CALL_TOKEN_HEADER } from './callToken.ts';
import { functionFor, type DispatchMessage } from './dispatchMessage.ts';

export interface Dispatcher {
  dispatch(message: DispatchMessage | JobMessage): Promise<void>;
  /** Direct dispatch only: sends the recorded partitions that fit the free call slots (directDispatcher.ts). */
  pump?(): Promise<number>;
}

export interface GatewayOptions {
  gatewayUrl: string;
  functionPrefix: string;
  callbackUrl?: string;
  /** The deployment's call token, sent with every call (the called function refuses calls without it). */
  callToken?: string;
  fetch?: typeof fetch;
}

export function gatewayDispatcher(opts: GatewayOptions): Dispatcher {
  const send = opts.fetch ?? fetch;
  return {
    async dispatch(message) {
      const url = `${opts.gatewayUrl.replace(/\/+$/, '')}/async-function/${functionFor(message, opts.functionPrefix)}`;
      const res = await send(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(opts.callbackUrl ? { 'x-callback-url': opts.callbackUrl } : {}),
          ...(opts.callToken ? { [CALL_TOKEN_HEADER]: opts.callToken } : {}),
        },
        body: JSON.stringify(message),
        // The gateway only queues the call: a gateway that does not answer in this time is down.
        signal: AbortSignal.timeout(30_000),
      });
      if (res.status !== 202 && !res.ok) {
        await res.body?.cancel();
        throw new Error(`gateway refused ${url}: HTTP ${res.status}`);
      }
      await res.body?.cancel();
    },
  };
}

/** Gateway calls in flight at once: a fan-out of 100,000 must not open 100,000 sockets. */
export const DISPATCH_CONCURRENCY = 32;

/**
 * Sends every message, at most `concurrency` at once; one refused call does not stop the others (the
 * reconciler sends it again). Returns the errors.
 */
export async function dispatchAll(dispatcher: Dispatcher, messages: (DispatchMessage | JobMessage)[], concurrency = DISPATCH_CONCURRENCY): Promise<string[]> {
  const errors: string[] = [];
  let next = 0;
  const lane = async () => {
    while (next < messages.length) {
      const m = messages[next++];
      try {
        await dispatcher.dispatch(m);
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, messages.length) }, lane));
  return errors;
}
