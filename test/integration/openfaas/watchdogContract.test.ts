/**
 * The function server as of-watchdog runs it (`mode=http`, `upstream_url`, `suppress_lock`,
 * `healthcheck_interval`, `max_inflight`): started as its own process (`node server.ts`), with the test
 * doing what the watchdog does (routing calls only while /tmp/.lock exists, forwarding SIGTERM), and S3
 * behind a proxy that slows every request so that a partition takes seconds. What must hold: no call
 * routed during start-up or shutdown gets a 5xx; a call in flight at SIGTERM completes; a second call while
 * one runs gets 429; the process exits 0 once drained.
 *
 * With EOFN_WATCHDOG_BIN=/path/to/fwatchdog the same scenario runs behind the real watchdog (its
 * exec_timeout also checked: 504, and the still-running handler keeps the pod busy: 429, not a second
 * partition). docs/dias.md records such a run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planJob, prepareJob, storePrepared } from '../../../functions/core/engine/index.ts';
import { SAMPLE_ITEM_IDS, DEMO_JOB_PATH } from '../../helpers/sampleJobs.ts';
import { startDiasHarness, type DiasHarness } from './helpers/diasHarness.ts';
import { readFile } from 'node:fs/promises';

const WATCHDOG = process.env.EOFN_WATCHDOG_BIN;
const DRAIN_SECONDS = 1;
const S3_DELAY_MS = 120;

let dias: DiasHarness;
let slowS3: Server;
let tmp: string;
let messages: Record<string, unknown>[];

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** A POST that resolves with the status, or 0 when nothing answered (a refused connection). */
function post(port: number, body: unknown, path = '/'): Promise<number> {
  return new Promise((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json', ...dias.headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end(JSON.stringify(body));
  });
}

interface Fn { child: ChildProcess; port: number; lock: string; exited: Promise<number | null>; output: string[] }

async function startFn(extra: Record<string, string> = {}): Promise<Fn> {
  const lockDir = await mkdtemp(join(tmp, 'lock-'));
  const upstream = await freePort();
  const port = WATCHDOG ? await freePort() : upstream;
  const env: Record<string, string> = {
    ...process.env as Record<string, string>, ...dias.env, EOFN_S3_ENDPOINT: `http://127.0.0.1:${(slowS3.address() as AddressInfo).port}`,
    EOFN_FUNCTION: 'tile-reduce', PORT: String(upstream), TMPDIR: lockDir,
    mode: 'http', upstream_url: `http://127.0.0.1:${upstream}`, suppress_lock: 'true', prefix_logs: 'false',
    healthcheck_interval: `${DRAIN_SECONDS}s`, max_inflight: '1', exec_timeout: '30s', read_timeout: '35s', write_timeout: '35s', ...extra,
  };
  const script = 'functions/adapters/openfaas/server.ts';
  const child = WATCHDOG
    ? spawn(WATCHDOG, [], { env: { ...env, port: String(port), fprocess: `${process.execPath} ${script}` }, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout!.on('data', (d) => output.push(String(d)));
  child.stderr!.on('data', (d) => output.push(String(d)));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, port, lock: join(lockDir, '.lock'), exited, output };
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'eofn-watchdog-'));
  dias = await startDiasHarness('watchdog', ['reconcile']);
  // S3 with latency: every request waits, so that a partition runs for seconds.
  const target = new URL(dias.env.EOFN_S3_ENDPOINT);
  slowS3 = createServer((req, res) => {
    setTimeout(() => {
      const up = httpRequest({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      req.pipe(up);
    }, S3_DELAY_MS);
  });
  await new Promise<void>((r) => slowS3.listen(0, '127.0.0.1', r));
  // A job of one partition per row strip, recorded as dispatched, with a long lease so nothing re-sends it.
  const demo = JSON.parse(await readFile(DEMO_JOB_PATH, 'utf8'));
  const job = { ...demo, id: 'ndvi-watchdog', items: SAMPLE_ITEM_IDS.map((i) => `s3://eodata/s2/${i}/${i}.json`), output: 's3://results/ndvi-watchdog' };
  const prepared = await prepareJob(job);
  const plan = planJob(prepared, { memoryMb: 1769, minPartitions: 4 });
  const stored = await storePrepared(prepared, plan);
  await dias.store.recordPlanned({
    jobId: plan.jobId, op: plan.op, outputHref: prepared.outputHref, preparedRef: stored.href, preparedDigest: stored.digest,
    hash: 'watchdog', memoryMb: 1769, partitions: plan.partitions,
  }, { maxAttempts: 3 });
  messages = plan.partitions.map(({ id }) => ({ kind: 'partition', jobId: plan.jobId, op: plan.op, partition: { id } }));
});

afterAll(async () => {
  await new Promise((r) => slowS3?.close(r));
  await dias?.close();
  await rm(tmp, { recursive: true, force: true });
});

/** A call that does nothing: a partition of an unknown job is skipped (200). */
const noop = { kind: 'partition', jobId: 'none', op: 'tile-reduce', partition: { id: 'r0' } };

describe(`function server under the watchdog contract${WATCHDOG ? ' (real of-watchdog)' : ''}`, () => {
  it('is ready only once it listens: no call routed during start-up gets a 5xx', async () => {
    // Prepare
    const fn = await startFn();
    const routed: number[] = [];
    let readyAt: number | undefined;

    // Act: route calls as the watchdog's health check allows (lock file present), from the first instant.
    for (const until = Date.now() + 15_000; Date.now() < until && (!readyAt || Date.now() - readyAt < 300);) {
      if (existsSync(fn.lock)) {
        readyAt ??= Date.now();
        routed.push(await post(fn.port, noop));
      } else {
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    fn.child.kill('SIGTERM');
    const code = await fn.exited;

    // Assess
    expect(readyAt, fn.output.join('')).toBeDefined();
    expect(routed.length).toBeGreaterThan(3);
    expect(routed.filter((s) => s !== 200)).toEqual([]);
    expect(code).toBe(0);
  });

  it('SIGTERM during a partition: unready at once, calls in the drain window answered without 5xx, the partition completes, exit 0', async () => {
    // Prepare
    const fn = await startFn();
    while (!existsSync(fn.lock)) await new Promise((r) => setTimeout(r, 10));

    // Act: a partition starts; SIGTERM arrives; calls keep coming during the drain window.
    const partition = post(fn.port, messages[0]);
    await new Promise((r) => setTimeout(r, 400));
    const busy = await post(fn.port, noop);
    const signalled = Date.now();
    fn.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 50));
    const lockGone = !existsSync(fn.lock);
    const during: number[] = [];
    while (Date.now() - signalled < DRAIN_SECONDS * 1000 - 200) during.push(await post(fn.port, noop));
    const done = await partition;
    const code = await fn.exited;

    // Assess
    expect(busy).toBe(429);
    expect(lockGone).toBe(true);
    expect(during.length).toBeGreaterThan(0);
    expect(during.filter((s) => s >= 500 || s === 0)).toEqual([]);
    expect(done, fn.output.join('')).toBe(200);
    expect(code).toBe(0);
    expect((await dias.store.status('ndvi-watchdog'))!.partitions.find((p) => p.id === (messages[0] as any).partition.id)).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
    expect(Date.now() - signalled).toBeGreaterThanOrEqual(DRAIN_SECONDS * 1000);
  });

  it.runIf(WATCHDOG)('exec_timeout: the watchdog answers 504; the handler still running keeps the pod busy (429), no second partition', async () => {
    // Prepare
    const fn = await startFn({ exec_timeout: '1s' });
    while (!existsSync(fn.lock)) await new Promise((r) => setTimeout(r, 10));

    // Act
    const timedOut = await post(fn.port, messages[1]);
    const next = await post(fn.port, messages[2]);
    fn.child.kill('SIGTERM');
    await fn.exited;

    // Assess
    expect(timedOut).toBe(504);
    expect(next).toBe(429);
  });
});
