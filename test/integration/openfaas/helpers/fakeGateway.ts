/**
 * Stands in for the OpenFaaS gateway and its NATS queue-worker: `POST /async-function/<fn>` answers 202
 * at once and delivers the call later with `X-Call-Id` and `X-Callback-Url`, as the queue-worker does;
 * `POST /function/<fn>` forwards synchronously (what the cron connector uses). Like the real gateway and
 * queue-worker, it passes the caller's `X-Eofn-Token` header on to the function. An interceptor can drop or
 * duplicate deliveries to inject faults.
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
export interface DeliveredCall { fn: string; body: any; callId: string; status?: number; response?: any }

export interface FakeGateway {
  url: string;
  calls: DeliveredCall[];
  register(fn: string, url: string): void;
  intercept(rule: ((fn: string, body: any) => Delivery | Promise<Delivery>) | undefined): void;
  idle(): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeGateway(): Promise<FakeGateway> {
  const functions = new Map<string, string>();
  const calls: DeliveredCall[] = [];
  let rule: ((fn: string, body: any) => Delivery | Promise<Delivery>) | undefined;
  let inFlight = 0;

  const deliver = async (fn: string, text: string, callId: string, token: Record<string, string>) => {
    const call: DeliveredCall = { fn, body: JSON.parse(text || '{}'), callId };
    calls.push(call);
    const res = await fetch(`${functions.get(fn)}/`, {
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
      inFlight++;
      try {
        const out = await fetch(`${functions.get(fn)}/`, { method: 'POST', body: text, headers: { ...token, 'content-type': 'application/json' } });
        res.writeHead(out.status, { 'content-type': 'application/json' }).end(await out.text());
      } finally {
        inFlight--;
      }
      return;
    }
    res.writeHead(202, { 'x-call-id': callId }).end();
    inFlight++;
    setImmediate(async () => {
      try {
        const what = rule ? await rule(fn, JSON.parse(text || '{}')) : 'deliver';
        if (what === 'drop') return;
        if (what === 'duplicate') await Promise.all([deliver(fn, text, callId, token), deliver(fn, text, callId, token)]);
        else await deliver(fn, text, callId, token);
      } finally {
        inFlight--;
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url, calls,
    register: (fn, target) => void functions.set(fn, target),
    intercept: (next) => { rule = next; },
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
