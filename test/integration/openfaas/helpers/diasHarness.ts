/**
 * A DIAS on this machine for integration tests: an in-process S3 emulator (fauxqs, path-style, custom
 * endpoint) standing in for Ceph with the sample Sentinel-2 items in an `eodata` bucket, the real
 * PostgreSQL on 127.0.0.1 in a schema of the test's own, eofn functions started in-process on ports, and a
 * fake gateway in front of them. `close()` drops the schema.
 *
 * @example
 * const dias = await startDiasHarness('e2e', ['jobs', 'tile-reduce', 'finalize', 'reconcile']);
 * const direct = await startDiasHarness('direct', ['jobs', 'tile-reduce'], { EOFN_DISPATCH: 'direct' }, { 'tile-reduce': 3 });
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { PutObjectCommand, GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { startFauxqs } from 'fauxqs';
import pg from 'pg';
import { s3Client } from '../../../../functions/adapters/shared/awsClients.ts';
import type { FunctionName } from '../../../../functions/adapters/openfaas/diasConfig.ts';
import { startFunction, type StartedFunction } from '../../../../functions/adapters/openfaas/startFunction.ts';
import type { JobStore } from '../../../../functions/adapters/openfaas/jobStore.ts';
import { SAMPLE_ITEM_IDS, SAMPLE_ITEMS_DIR } from '../../../helpers/sampleJobs.ts';
import { startFakeGateway, type FakeGateway, type FakeGatewayOptions } from './fakeGateway.ts';
import type { HandlerContext } from '../../../../functions/adapters/openfaas/handlers/handlerContext.ts';
import { ensurePostgres, TEST_DATABASE_URL } from '../../../helpers/ensurePostgres.ts';

export const DATABASE_URL = TEST_DATABASE_URL;

export interface DiasHarness {
  s3: S3Client;
  gateway: FakeGateway;
  env: Record<string, string>;
  /** The deployment's call token (secret `eofn-call-token`); `headers` carries it. */
  token: string;
  headers: Record<string, string>;
  /** The function servers by name, reached directly (as from inside the cluster, past the gateway). */
  urls: Record<string, string>;
  store: JobStore;
  schema: string;
  logs: { event: string; [k: string]: unknown }[];
  put(bucket: string, key: string, body: Uint8Array | string): Promise<void>;
  get(bucket: string, key: string): Promise<Uint8Array>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  gateway?: FakeGatewayOptions;
  /** Replaces the engine step in every function (failure injection). */
  runPartition?: HandlerContext['runPartition'];
  /** Keep the functions' JSON logs out of memory (a benchmark of many thousand calls). */
  quiet?: boolean;
}

export async function startDiasHarness(name: string, fns: FunctionName[], extraEnv: Record<string, string> = {}, replicas: Partial<Record<FunctionName, number>> = {}, options: HarnessOptions = {}): Promise<DiasHarness> {
  await ensurePostgres();
  const fauxqs = await startFauxqs({ port: 0, logger: false });
  fauxqs.createBucket('eodata');
  fauxqs.createBucket('results');
  const s3 = s3Client({ endpoint: fauxqs.address, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const put = async (bucket: string, key: string, body: Uint8Array | string) => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  };
  const get = async (bucket: string, key: string) =>
    (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray();
  for (const id of SAMPLE_ITEM_IDS) {
    for (const file of await readdir(join(SAMPLE_ITEMS_DIR, id))) await put('eodata', `s2/${id}/${file}`, await readFile(join(SAMPLE_ITEMS_DIR, id, file)));
  }

  const secrets = await mkdtemp(join(tmpdir(), 'eofn-secrets-'));
  await writeFile(join(secrets, 'eofn-database-url'), DATABASE_URL + '\n');
  await writeFile(join(secrets, 'eofn-s3-access-key'), 'test');
  await writeFile(join(secrets, 'eofn-s3-secret-key'), 'test');
  const token = randomBytes(24).toString('hex');
  await writeFile(join(secrets, 'eofn-call-token'), token + '\n');
  const schema = `eofn_it_${name}_${process.pid}`;
  const gateway = await startFakeGateway(options.gateway);
  const env: Record<string, string> = {
    EOFN_SECRETS_DIR: secrets, EOFN_DB_SCHEMA: schema, EOFN_S3_ENDPOINT: fauxqs.address, EOFN_S3_REGION: 'us-east-1',
    EOFN_GATEWAY_URL: gateway.url, EOFN_LEASE_SECONDS: '2', EOFN_DISPATCH_TIMEOUT_SECONDS: '30', EOFN_MAX_ATTEMPTS: '3',
    EOFN_MIN_PARTITIONS: '4', EOFN_ALLOWED_HTTP_HOSTS: '127.0.0.1', EOFN_ARRIVAL_RULES: 's3://results/config/arrival-rules.json', ...extraEnv,
  };
  const logs: DiasHarness['logs'] = [];
  const started: StartedFunction[] = [];
  const urls: Record<string, string> = {};
  for (const fn of fns) {
    for (let replica = 0; replica < (replicas[fn] ?? 1); replica++) {
      const f = await startFunction({ ...env, EOFN_FUNCTION: fn }, {
        log: options.quiet ? () => undefined : (event, fields) => void logs.push({ fn, replica, event, ...fields }), runPartition: options.runPartition,
      });
      await new Promise<void>((r) => f.server.listen(0, f.listenHost, r));
      // urls: the first replica of each function (tests that call a pod past the gateway).
      urls[fn] ??= `http://127.0.0.1:${(f.server.address() as AddressInfo).port}`;
      gateway.register(`eofn-${fn}`, `http://127.0.0.1:${(f.server.address() as AddressInfo).port}`);
      started.push(f);
    }
  }

  return {
    s3, gateway, env, schema, logs, put, get, store: started[0].store, token, headers: { 'x-eofn-token': token }, urls,
    async close() {
      await gateway.close();
      for (const f of started) {
        await new Promise((r) => f.server.close(r));
        await f.close();
      }
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
      await fauxqs.stop();
      await rm(secrets, { recursive: true, force: true });
    },
  };
}
