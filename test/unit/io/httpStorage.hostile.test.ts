/**
 * HttpStorage against a hostile local server (issue 10): endless bodies, stalled bodies, a server that never
 * answers, a 206 that starts one byte early or holds more than it announced, bodies full of secrets in
 * errors, and redirects to internal hosts in cloud mode. Each ends in a clear error naming the href, within
 * seconds, without growing memory past the read's limit, and without echoing what the server sent.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InputError, IoError, isPermanent, type LocatedError } from '../../../functions/core/errors.ts';
import { HttpStorage } from '../../../functions/core/io/httpStorage.ts';
import { registerStorage, setPolicy, storageFor } from '../../../functions/core/io/storage.ts';
import { readJobFile } from '../../../functions/core/engine/readJobFile.ts';

const SECRET = 'SECRET-INTERNAL-7f3a';
const TEN = Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
/** 64 MB of zeros in about 64 KB of gzip. */
const GZIP_BOMB = gzipSync(Buffer.alloc(64 * 2 ** 20));
let server: Server;
let base: string;
const open = new Set<ServerResponse>();

const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  '/endless': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    const pump = () => { while (res.write(chunk)); };
    res.on('drain', pump);
    pump();
  },
  '/gzip-bomb': (_req, res) => {
    res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'application/json' }).end(GZIP_BOMB);
  },
  '/announces-huge': (_req, res) => {
    res.writeHead(200, { 'content-length': String(50 * 2 ** 30) });
    res.write('x');
  },
  '/slow': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{');
  },
  '/silent': () => undefined,
  '/shifted': (req, res) => {
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '')!;
    const start = Number(m[1]) - 1, end = Number(m[2]) - 1;
    res.writeHead(206, { 'content-range': `bytes ${start}-${end}/10`, 'content-length': end - start + 1 }).end(TEN.subarray(start, end + 1));
  },
  '/overfull-206': (req, res) => {
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '')!;
    res.writeHead(206, { 'content-range': `bytes ${m[1]}-${m[2]}/10` });
    res.end(Buffer.alloc(5000, 1));
  },
  '/ranged': (req, res) => {
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '')!;
    const start = Number(m[1]), end = Math.min(Number(m[2]), 9);
    res.writeHead(206, { 'content-range': `bytes ${start}-${end}/10` }).end(TEN.subarray(start, end + 1));
  },
  '/html-job.json': (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(`<html>${SECRET}</html>`),
  '/error-page': (_req, res) => res.writeHead(500, { 'content-type': 'text/plain' }).end(SECRET),
  '/forbidden': (_req, res) => res.writeHead(418).end(SECRET),
  '/to-metadata': (_req, res) => res.writeHead(302, { location: 'https://169.254.169.254/latest/meta-data/' }).end(),
  '/to-loopback': (_req, res) => res.writeHead(307, { location: 'https://127.0.0.1:9/admin' }).end(),
  '/to-other': (_req, res) => res.writeHead(301, { location: 'https://elsewhere.example.org/x' }).end(),
  '/loop': (_req, res) => res.writeHead(302, { location: '/loop' }).end(),
};

/** A fetch that serves `https://public.example.com/…` from the local server (there is no TLS here). */
const localFetch: typeof fetch = (input, init) => {
  const url = String(input);
  if (!url.startsWith('https://public.example.com/')) return Promise.reject(new TypeError('fetch failed (test: no such host)'));
  return fetch(url.replace('https://public.example.com', base), init);
};

function storage(extra: ConstructorParameters<typeof HttpStorage>[0] = {}): HttpStorage {
  return new HttpStorage({ fetch: localFetch, headerTimeoutMs: 300, idleTimeoutMs: 300, retries: 1, retryDelayMs: 10, maxReadAllBytes: 2 ** 20, ...extra });
}

/** A refusal (permanent), or with `transient` a failure that outlasted the retries (tried again later). */
async function failure(work: Promise<unknown>, transient = false): Promise<LocatedError> {
  const e = await work.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(transient ? IoError : InputError);
  expect(isPermanent(e)).toBe(!transient);
  return e as LocatedError;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    open.add(res);
    res.on('close', () => open.delete(res));
    (routes[req.url ?? ''] ?? ((_q, r) => r.writeHead(404).end()))(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => setPolicy({ allowFile: true }));

afterAll(async () => {
  for (const res of open) res.destroy();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const url = (path: string) => `https://public.example.com${path}`;

describe('HttpStorage against a hostile server', () => {
  it('stops an endless body at the read limit, within seconds and without holding it', async () => {
    // Prepare
    const before = process.memoryUsage().rss;
    const started = performance.now();
    // Act
    const e = await failure(storage().readAll(url('/endless')));
    // Assess
    expect(e.message).toMatch(/^https:\/\/public\.example\.com\/endless: the response body is larger than the 1048576 bytes this read allows$/);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 2 ** 20);
  });

  it('counts the bytes a compressed body inflates to, not the bytes sent', async () => {
    const e = await failure(storage().readAll(url('/gzip-bomb')));
    expect(e.message).toMatch(/gzip-bomb: the response body is larger than the 1048576 bytes this read allows/);
  });

  it('refuses a body announced larger than the limit before reading it', async () => {
    const e = await failure(storage().readAll(url('/announces-huge')));
    expect(e.message).toMatch(/announces 53687091200 bytes, more than the 1048576 bytes/);
  });

  it('reads only the range asked from an endless body when the server ignores Range', async () => {
    const bytes = await storage().readRange(url('/endless'), 100, 16);
    expect(Array.from(bytes)).toEqual(new Array(16).fill(0x41));
  });

  it('ends a stalled body and a server that never answers with a timeout, after one retry', async () => {
    // Prepare
    const started = performance.now();
    // Act
    const slow = await failure(storage().readAll(url('/slow')), true);
    const silent = await failure(storage().readAll(url('/silent')), true);
    // Assess
    expect(slow.message).toMatch(/\/slow: request failed after 2 attempts: no data for 300 ms while reading the body/);
    expect(silent.message).toMatch(/\/silent: request failed after 2 attempts: no response within 300 ms/);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('refuses a 206 whose Content-Range starts one byte early, and one whose body exceeds its Content-Range', async () => {
    // Act
    const shifted = await failure(storage().readRange(url('/shifted'), 4, 3));
    const overfull = await failure(storage().readRange(url('/overfull-206'), 2, 3));
    // Assess
    expect(shifted.message).toMatch(/answered bytes 3-5 to a request for bytes 4-6/);
    expect(overfull.message).toMatch(/larger than the 3 bytes this read allows/);
    expect(Array.from(await storage().readRange(url('/ranged'), 4, 3))).toEqual([4, 5, 6]);
    expect(Array.from(await storage().readRange(url('/ranged'), 8, 5))).toEqual([8, 9]);
  });

  it('never echoes what the server sent in an error', async () => {
    // Prepare
    registerStorage('https', storage());
    // Act
    const job = await readJobFile(url('/html-job.json')).then(() => undefined, (e: Error) => e);
    const server500 = await failure(storage().readAll(url('/error-page')), true);
    const teapot = await failure(storage().readAll(url('/forbidden')));
    // Assess
    for (const e of [job, server500, teapot]) expect(e!.message).not.toContain('SECRET');
    expect(job!.message).toMatch(/html-job\.json: not valid JSON/);
    expect(server500.message).toMatch(/error-page: request failed after 2 attempts: HTTP 500$/);
    expect(teapot.message).toMatch(/forbidden: HTTP 418$/);
  });

  it('in cloud mode fetches only https and s3, checks every redirect again, and stops redirect loops', async () => {
    // Prepare
    registerStorage('https', storage());
    setPolicy({ allowFile: false });
    // Act + Assess
    expect(() => storageFor(`${base}/ranged`)).toThrow(/only https:\/\/ and s3:\/\/ hrefs are allowed in cloud mode, not http:\/\//);
    expect(() => storageFor('https://[::1]/x')).toThrow(/loopback, private or link-local/);
    expect((await failure(storage().readAll(url('/to-metadata')))).message).toMatch(/host "169\.254\.169\.254" is a loopback, private or link-local address/);
    expect((await failure(storage().readAll(url('/to-loopback')))).message).toMatch(/host "127\.0\.0\.1"/);
    setPolicy({ allowFile: false, allowedHosts: ['public.example.com'], allowedBuckets: ['eodata'] });
    expect((await failure(storage().readAll(url('/to-other')))).message).toMatch(/^https:\/\/elsewhere\.example\.org\/x: host "elsewhere\.example\.org" is not in this deployment's allowed hosts/);
    expect((await failure(storage().readAll(url('/loop')))).message).toMatch(/more than 3 redirects/);
    expect(() => storageFor('s3://someone-elses-bucket/x.tif')).toThrow(/bucket "someone-elses-bucket" is not in this deployment's allowed buckets/);
  });
});
