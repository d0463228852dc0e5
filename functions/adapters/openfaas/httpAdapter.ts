/**
 * The HTTP side of a function for of-watchdog `http` mode: the watchdog forwards each call to this server
 * (upstream_url http://127.0.0.1:3000). The body is a JSON message (the same as on AWS); the gateway's
 * queue-worker adds `X-Call-Id` (echoed back, and logged) and posts our response to `X-Callback-Url`.
 *
 * @example
 * const server = createFunctionServer(HANDLERS['tile-reduce'], ctx, { token, functionName: 'tile-reduce' }, lifecycle);
 * server.listen(Number(process.env.PORT ?? 3000));
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { isPermanent } from '../../core/errors.ts';
import { parseJson } from '../../core/io/parseJson.ts';
import { callAllowed, INPUTLESS_FUNCTIONS } from './callToken.ts';
import { FunctionLifecycle } from './functionLifecycle.ts';
import type { Handler, HandlerContext } from './handlers/handlerContext.ts';

export const MAX_BODY_BYTES = 8 * 2 ** 20;

/** Who may call: the deployment's call token, checked for every call of `functionName` (see `callToken.ts`). */
export interface CallPolicy {
  token: string;
  functionName: string;
}

export function createFunctionServer(handler: Handler, ctx: HandlerContext, policy: CallPolicy, lifecycle = new FunctionLifecycle({ maxInflight: 0, drainSeconds: 0 })): Server {
  const inputless = INPUTLESS_FUNCTIONS.includes(policy.functionName);
  const server = createServer(async (req, res) => {
    const callId = header(req, 'x-call-id');
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...(callId ? { 'x-call-id': callId } : {}), ...headers });
      res.end(JSON.stringify(body) + '\n');
    };
    const probe = lifecycle.probe(req.url ?? '/');
    if (probe) return reply(probe.status, probe.body);
    if (req.method !== 'POST' && req.method !== 'GET') return reply(405, { error: 'use POST with a JSON message' });
    // Checked before the body is read: an unauthenticated caller costs no memory.
    if (!callAllowed(req, policy.token, policy.functionName)) {
      ctx.log('call refused', { callId, reason: 'missing or wrong call token' });
      req.resume();
      return reply(401, { error: 'missing or wrong call token (X-Eofn-Token)' });
    }
    if (!lifecycle.admit()) {
      req.resume();
      return reply(429, { error: 'busy: this pod takes one call at a time; retry' }, { 'retry-after': '10' });
    }
    try {
      await handle(req, callId, reply);
    } finally {
      lifecycle.release();
    }
  });
  server.on('listening', () => lifecycle.markReady());
  return server;

  async function handle(req: IncomingMessage, callId: string | undefined, reply: (status: number, body: unknown) => void): Promise<void> {
    let body: unknown = {};
    try {
      const text = await readBody(req);
      if (!inputless && text.trim()) body = parseJson(text, 'body');
    } catch (e) {
      return reply(400, { error: (e as Error).message });
    }
    try {
      const result = await handler({ ...ctx, log: (event, fields) => ctx.log(event, { callId, ...fields }) }, body);
      reply(result.status, result.body);
    } catch (e) {
      // Missing or bad configuration and input (e.g. the arrival rules) are the caller's to fix, not a crash.
      if (isPermanent(e)) return reply(400, { error: (e as Error).message });
      ctx.log('handler error', { callId, error: (e as Error).stack ?? String(e) });
      reply(500, { error: (e as Error).message });
    }
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error(`larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** One JSON line per event on stdout, which the watchdog passes to the pod's log. */
export function jsonLog(functionName: string): HandlerContext['log'] {
  return (event, fields = {}) => process.stdout.write(JSON.stringify({ time: new Date().toISOString(), fn: functionName, event, ...fields }) + '\n');
}
