/**
 * Stands in for the OpenFaaS gateway and its NATS queue-worker: `POST /async-function/<fn>` answers 202
 * at once and delivers the call later with `X-Call-Id` and `X-Callback-Url`, as the queue-worker does;
 * `POST /function/<fn>` forwards synchronously (what the cron connector and direct dispatch use). Like the real
 * gateway and queue-worker, it passes the caller's `X-Eofn-Token` header on to the function. A function
 * registered several times has as many replicas, taken in turn. An interceptor can drop or duplicate async
 * deliveries, another fail synchronous calls with 502, to inject faults; `maxConcurrent` records the most
 * synchronous calls a function had at once.
 *
 * @example
 * const gw = await startFakeGateway();
 * gw.register('eofn-jobs', 'http://127.0.0.1:40123');
 * await gw.idle();
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Delivery = 'deliver' | 'drop' | 'duplicate';
export interface DeliveredCall { fn: string; body: any; callId: string; mode: 'async' | 'sync'; status?: number; response?: any }

export interface FakeGateway {
  url: string;
  calls: DeliveredCall[];
  register(fn: string, url: string): void;
  intercept(rule: ((fn: string, body: any) => Delivery | Promise<Delivery>) | undefined): void;
  interceptSync(rule: ((fn: string, body: any) => 'deliver' | 'fail') | undefined): void;
  /** Whether the gateway takes an async call at all: 'refuse' answers 502 before queueing (the gateway down). */
  interceptAccept(rule: ((fn: string, body: any) => 'accept' | 'refuse') | undefined): void;
  maxConcurrent: Record<string, number>;
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface FakeGatewayOptions {
  /** Async calls delivered at once (the queue-worker's `max_inflight`); unbounded by default. */
  maxInflight?: number;
}

export async function startFakeGateway(options: FakeGatewayOptions = {}): Promise<FakeGateway> {
  const functions = new Map<string, string[]>();
  const turn = new Map<string, number>();
  const target = (fn: string) => {
    const replicas = functions.get(fn)!;
    const i = turn.get(fn) ?? 0;
    turn.set(fn, i + 1);
    return replicas[i % replicas.length];
  };
  const calls: DeliveredCall[] = [];
  let rule: ((fn: string, body: any) => Delivery | Promise<Delivery>) | undefined;
  let syncRule: ((fn: string, body: any) => 'deliver' | 'fail') | undefined;
  let acceptRule: ((fn: string, body: any) => 'accept' | 'refuse') | undefined;
  const running: Record<string, number> = {};
  const maxConcurrent: Record<string, number> = {};
  let inFlight = 0;
  // Waiting async deliveries when `maxInflight` is reached; each finished delivery starts the next.
  const waiting: (() => void)[] = [];
  let delivering = 0;
  const slot = async () => {
    if (options.maxInflight === undefined) return;
    if (delivering >= options.maxInflight) await new Promise<void>((r) => waiting.push(r));
    delivering++;
  };
  const release = () => {
    if (options.maxInflight === undefined) return;
    delivering--;
    waiting.shift()?.();
  };

  const deliver = async (fn: string, text: string, callId: string, token: Record<string, string>) => {
    const call: DeliveredCall = { fn, body: JSON.parse(text || '{}'), callId, mode: 'async' };
    calls.push(call);
    const res = await fetch(`${target(fn)}/`, {
      method: 'POST', body: text,
      headers: { ...token, 'content-type': 'application/json', 'x-call-id': callId, 'x-callback-url': 'http://callback.invalid/eofn', 'x-start-time': String(Date.now()) },
    });
    call.status = res.status;
    call.response = await res.json();
  };

  const server: Server = createServer(async (req, res) => {
    const m = /^\/(async-function|function)\/([^/?]+)/.exec(req.url ?? '');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (!m || !functions.has(m[2])) {
      res.writeHead(404).end(`no function ${m?.[2]}`);
      return;
    }
    const [, mode, fn] = m;
    const callId = randomUUID();
    const given = req.headers['x-eofn-token'];
    const token: Record<string, string> = typeof given === 'string' ? { 'x-eofn-token': given } : {};
    if (mode === 'function') {
      const body = JSON.parse(text || '{}');
      if (syncRule?.(fn, body) === 'fail') {
        res.writeHead(502, { 'x-openfaas-internal': 'fake-gateway' }).end('upstream unavailable');
        return;
      }
      const call: DeliveredCall = { fn, body, callId, mode: 'sync' };
      calls.push(call);
      inFlight++;
      running[fn] = (running[fn] ?? 0) + 1;
      maxConcurrent[fn] = Math.max(maxConcurrent[fn] ?? 0, running[fn]);
      try {
        const out = await fetch(`${target(fn)}/`, { method: 'POST', body: text, headers: { ...token, 'content-type': 'application/json' } });
        const reply = await out.text();
        call.status = out.status;
        call.response = JSON.parse(reply || '{}');
        res.writeHead(out.status, { 'content-type': 'application/json' }).end(reply);
      } finally {
        running[fn]--;
        inFlight--;
      }
      return;
    }
    if (acceptRule?.(fn, JSON.parse(text || '{}')) === 'refuse') {
      res.writeHead(502, { 'x-openfaas-internal': 'fake-gateway' }).end('queue unavailable');
      return;
    }
    res.writeHead(202, { 'x-call-id': callId }).end();
    inFlight++;
    setImmediate(async () => {
      await slot();
      try {
        const what = rule ? await rule(fn, JSON.parse(text || '{}')) : 'deliver';
        if (what === 'drop') return;
        if (what === 'duplicate') await Promise.all([deliver(fn, text, callId, token), deliver(fn, text, callId, token)]);
        else await deliver(fn, text, callId, token);
      } finally {
        release();
        inFlight--;
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url, calls, maxConcurrent,
    register: (fn, url) => void functions.set(fn, [...(functions.get(fn) ?? []), url]),
    intercept: (next) => { rule = next; },
    interceptSync: (next) => { syncRule = next; },
    interceptAccept: (next) => { acceptRule = next; },
    async idle() {
      // Settled when nothing has been in flight for a few consecutive checks (a delivery may queue another).
      for (let quiet = 0; quiet < 3;) {
        await new Promise((r) => setTimeout(r, 20));
        quiet = inFlight === 0 ? quiet + 1 : 0;
      }
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
