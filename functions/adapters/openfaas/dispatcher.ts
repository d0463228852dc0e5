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

/** Sends every message; one refused call does not stop the others (the reconciler sends it again). */
export async function dispatchAll(dispatcher: Dispatcher, messages: (DispatchMessage | JobMessage)[]): Promise<string[]> {
  const outcomes = await Promise.allSettled(messages.map((m) => dispatcher.dispatch(m)));
  return outcomes.flatMap((o) => (o.status === 'rejected' ? [(o.reason as Error).message] : []));
}
