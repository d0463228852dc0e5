/**
 * The archive's request limits hold for the whole deployment (CDSE: 4 concurrent connections and 2000
 * requests per minute per account): two replicas, each with its own archive storage, read COG ranges from
 * an S3 endpoint (fauxqs) behind a TCP proxy that counts open connections, sharing slots and a token bucket
 * in the real PostgreSQL.
 */
import { createServer, connect, type Server } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { startFauxqs } from 'fauxqs';
import pg from 'pg';
import { s3Client } from '../../../functions/adapters/shared/awsClients.ts';
import { openPool } from '../../../functions/adapters/openfaas/pgPool.ts';
import { pgRequestLimiter } from '../../../functions/adapters/openfaas/pgRequestLimiter.ts';
import { archiveStorage, registerDiasStorages } from '../../../functions/adapters/openfaas/registerDiasStorages.ts';
import { storageFor } from '../../../functions/core/io/storage.ts';
import { loadDiasConfig } from '../../../functions/adapters/openfaas/diasConfig.ts';
import { SAMPLE_ITEMS_DIR } from '../../helpers/sampleJobs.ts';
import { recorded } from '../../helpers/recordedStacApi.ts';
import { DATABASE_URL } from './helpers/diasHarness.ts';

const SCHEMA = `eofn_it_limits_${process.pid}`;
const HREF = 's3://eodata/s2/B04.tif';
/** Where a real CDSE item (test/fixtures/stac-api/cdse) puts its red band; the bytes here are a sample COG. */
const CDSE_KEY = 'Sentinel-2/MSI/L2A_N0500/2020/07/05/S2B_MSIL2A_20200705T101559_N0500_R065_T32TNT_20230530T175912.SAFE/GRANULE/L2A_T32TNT_A017394_20200705T101917/IMG_DATA/R10m/T32TNT_20200705T101559_B04_10m.jp2';

let fauxqs: Awaited<ReturnType<typeof startFauxqs>>;
let proxy: Server;
let proxyUrl: string;
let open = 0;
let maxOpen = 0;
/** What the archive saw of each request: its first line and the access key it was signed with. */
const seen: string[] = [];
const pools: pg.Pool[] = [];
let cog: Buffer;
let secrets: string;

beforeAll(async () => {
  secrets = await mkdtemp(join(tmpdir(), 'eofn-secrets-'));
  await writeFile(join(secrets, 'eofn-database-url'), DATABASE_URL);
  await writeFile(join(secrets, 'eofn-call-token'), 'archive-limits-test-token');
  fauxqs = await startFauxqs({ port: 0, logger: false });
  fauxqs.createBucket('eodata');
  cog = await readFile(join(SAMPLE_ITEMS_DIR, 'S2B_33TWM_20230810_0_L2A/B04.tif'));
  const s3 = s3Client({ endpoint: fauxqs.address, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 't', secretAccessKey: 't' } });
  await s3.send(new PutObjectCommand({ Bucket: 'eodata', Key: 's2/B04.tif', Body: cog }));
  await s3.send(new PutObjectCommand({ Bucket: 'eodata', Key: CDSE_KEY, Body: cog }));
  s3.destroy();
  // Every TCP connection to the "archive" passes here and is counted while it is open.
  const target = new URL(fauxqs.address);
  proxy = createServer((client) => {
    maxOpen = Math.max(maxOpen, ++open);
    const upstream = connect(Number(target.port), target.hostname);
    client.once('data', (chunk: Buffer) => {
      const head = chunk.toString('latin1');
      seen.push(`${head.split('\r\n')[0]} key=${/Credential=([^/]+)\//.exec(head)?.[1]}`);
    });
    client.pipe(upstream).pipe(client);
    const closed = () => { client.destroy(); upstream.destroy(); };
    client.on('close', closed).on('error', closed);
    upstream.on('close', closed).on('error', closed);
    // Closed for the client once it has sent its FIN ('end'); the full close can lag on a busy machine.
    let counted = true;
    const gone = () => { if (counted) { counted = false; open--; } };
    client.once('end', gone).once('close', gone);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
});

afterAll(async () => {
  for (const p of pools) await p.end();
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await client.end();
  await new Promise((r) => proxy?.close(r));
  await fauxqs?.stop();
  await rm(secrets, { recursive: true, force: true });
});

/** One function replica: its own configuration, database pool, limiter and archive storage. */
async function replica(limits: Record<string, string>) {
  const config = loadDiasConfig({
    EOFN_FUNCTION: 'tile-reduce', EOFN_SECRETS_DIR: secrets, EOFN_ARCHIVE_BUCKETS: 'eodata',
    EOFN_ARCHIVE_S3_ENDPOINT: proxyUrl, EOFN_S3_REGION: 'us-east-1', ...limits,
  });
  const pool = await openPool(DATABASE_URL, SCHEMA);
  pools.push(pool);
  const archive = { ...config.archive!, credentials: { accessKeyId: 't', secretAccessKey: 't' } };
  const limiter = await pgRequestLimiter(pool, 'archive', { maxConcurrent: archive.maxConnections, perMinute: archive.maxRequestsPerMinute });
  return archiveStorage(archive, limiter);
}

describe('archive request limits across replicas', () => {
  it('keeps at most 4 connections open and spends no more requests than the bucket refills', async () => {
    // Prepare: 4 connections, 600 requests/minute (a burst of 30, then 9.5 per second).
    const limits = { EOFN_ARCHIVE_MAX_CONNECTIONS: '4', EOFN_ARCHIVE_MAX_REQUESTS_PER_MINUTE: '600' };
    const [a, b] = [await replica(limits), await replica(limits)];
    const ranges = Array.from({ length: 48 }, (_, i) => ({ offset: (i * 977) % (cog.length - 4096), length: 4096 }));

    // Act
    const started = performance.now();
    const reads = await Promise.all(ranges.map((r, i) => (i % 2 ? a : b).readRange(HREF, r.offset, r.length)));
    const seconds = (performance.now() - started) / 1000;

    // Assess
    for (const [i, r] of ranges.entries()) expect(Buffer.from(reads[i]).equals(cog.subarray(r.offset, r.offset + r.length))).toBe(true);
    expect(maxOpen).toBeGreaterThan(0);
    expect(maxOpen).toBeLessThanOrEqual(4);
    for (let i = 0; i < 50 && open > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(open).toBe(0); // no idle connection kept: the archive counts those too
    expect(seconds).toBeGreaterThanOrEqual(((48 - 30) / 9.5) * 0.9);
  }, 30_000);

  it('reads a CDSE item\'s s3://eodata href through the archive endpoint with the archive keys, results elsewhere', async () => {
    // Prepare
    await writeFile(join(secrets, 'eofn-archive-access-key'), 'ARCHIVEKEY');
    await writeFile(join(secrets, 'eofn-archive-secret-key'), 'archive-secret');
    await writeFile(join(secrets, 'eofn-s3-access-key'), 'RESULTSKEY');
    await writeFile(join(secrets, 'eofn-s3-secret-key'), 'results-secret');
    const config = loadDiasConfig({
      EOFN_FUNCTION: 'tile-reduce', EOFN_SECRETS_DIR: secrets, EOFN_S3_ENDPOINT: fauxqs.address, EOFN_S3_REGION: 'us-east-1',
      EOFN_ARCHIVE_BUCKETS: 'eodata', EOFN_ARCHIVE_S3_ENDPOINT: proxyUrl, EOFN_ARCHIVE_MAX_CONNECTIONS: '4', EOFN_ARCHIVE_MAX_REQUESTS_PER_MINUTE: '2000',
    });
    const pool = await openPool(DATABASE_URL, SCHEMA);
    pools.push(pool);
    registerDiasStorages(config, await pgRequestLimiter(pool, 'archive', { maxConcurrent: 4, perMinute: 2000 }));
    const href = recorded('cdse/search_sentinel-2-l2a_bbox9.0-47.0_20200701-05_POST.json').features[0].assets.B04_10m.href;
    fauxqs.createBucket('results');
    seen.length = 0;

    // Act
    const header = await storageFor(href).readRange(href, 0, 16);
    await storageFor('s3://results/out/x.bin').write('s3://results/out/x.bin', new Uint8Array([1, 2, 3]));

    // Assess
    expect(href).toBe(`s3://eodata/${CDSE_KEY}`);
    expect(Buffer.from(header).equals(cog.subarray(0, 16))).toBe(true);
    expect(seen).toEqual([expect.stringMatching(new RegExp(`^GET /eodata/${CDSE_KEY.replaceAll('.', '\\.')}\\?x-id=GetObject HTTP/1.1 key=ARCHIVEKEY$`))]);
  });

  it('frees the slots of a replica that died holding them once their lease ends', async () => {
    // Prepare: a replica takes every slot and never gives them back.
    const pool = await openPool(DATABASE_URL, SCHEMA);
    pools.push(pool);
    const dead = await pgRequestLimiter(pool, 'lease-test', { maxConcurrent: 2, leaseSeconds: 1 });
    await dead.acquire();
    await dead.acquire();
    const alive = await pgRequestLimiter(pool, 'lease-test', { maxConcurrent: 2, leaseSeconds: 1, pollMs: 20 });
    // Act
    const started = performance.now();
    const release = await alive.acquire();
    const waited = performance.now() - started;
    await release();
    // Assess
    expect(waited).toBeGreaterThanOrEqual(700);
    expect(waited).toBeLessThan(10_000);
  });
});
