/**
 * A function's configuration on a DIAS: plain settings from the environment (stack.yml `environment:`),
 * credentials and the database URL from secret files. Read once at start-up.
 *
 * @example
 * const config = loadDiasConfig(); // config.functionName === 'tile-reduce'
 */
import { isOpName, OP_NAMES, type OpName } from '../../core/ops/descriptors.ts';
import { CALL_TOKEN_SECRET } from './callToken.ts';
import { readOptionalSecret, readSecret, secretsDir } from './readSecret.ts';

/** One function per op (`ops/descriptors.ts`) between the stages that feed and finish them. */
export const FUNCTION_NAMES = ['jobs', ...OP_NAMES, 'finalize', 'arrivals', 'reconcile', 'stac-poll'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export const SECRET_NAMES = {
  databaseUrl: 'eofn-database-url',
  s3AccessKey: 'eofn-s3-access-key',
  s3SecretKey: 'eofn-s3-secret-key',
  archiveAccessKey: 'eofn-archive-access-key',
  archiveSecretKey: 'eofn-archive-secret-key',
  callToken: CALL_TOKEN_SECRET,
} as const;

export interface S3Endpoint {
  endpoint?: string;
  region: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface DiasConfig {
  functionName: FunctionName;
  databaseUrl: string;
  /** Every call to a function must present it, and every call eofn makes sends it (see `callToken.ts`). */
  callToken: string;
  /** Address the HTTP server binds: loopback behind of-watchdog, so the pod port does not bypass it. */
  listenHost: string;
  /** PostgreSQL schema holding eofn's tables (one per deployment). */
  schema: string;
  gatewayUrl: string;
  /** Prefix of the deployed function names: partitions of op X go to `<prefix>X`. */
  functionPrefix: string;
  callbackUrl?: string;
  /** Where results are written (`s3://` hrefs of buckets not listed in `archive.buckets`). */
  results: S3Endpoint;
  /**
   * The EO archive (e.g. CREODIAS `eodata`), read-only, often a different endpoint; with the request limits
   * of its account for the whole deployment (EOFN_ARCHIVE_MAX_CONNECTIONS, EOFN_ARCHIVE_MAX_REQUESTS_PER_MINUTE).
   */
  archive?: S3Endpoint & { buckets: string[]; maxConnections?: number; maxRequestsPerMinute?: number };
  leaseSeconds: number;
  dispatchTimeoutSeconds: number;
  /** `queue`: async calls through the queue-worker; `direct`: synchronous calls, bounded per op (OpenFaaS CE). */
  dispatch: 'queue' | 'direct';
  /** Direct dispatch: partitions of one op sent or running at once. */
  dispatchConcurrency: number;
  /** Direct dispatch: seconds before a call no pod took (busy, gateway error) is sent again. */
  dispatchRetrySeconds: number;
  maxAttempts: number;
  minPartitions: number;
  /** A multi-tile job of more tiles than this is planned one `plan-tile` call per tile (EOFN_PLAN_FAN_OUT_TILES, default 4). */
  planFanOutTiles: number;
  /** Ops whose function the provider profile gives other memory than their descriptor (EOFN_OP_MEMORY_MB). */
  opMemoryMb: Partial<Record<OpName, number>>;
  arrivalRulesHref?: string;
  stacApiUrl?: string;
  stacCollections: string[];
  stacMaxItems: number;
  /** Only items intersecting [west, south, east, north] (EOFN_STAC_BBOX "w,s,e,n"). */
  stacBbox?: [number, number, number, number];
  stacLookbackHours: number;
  /** The poller pages in this order (EOFN_STAC_SORTBY); the API must support sorting (CDSE does). */
  stacSortby: string;
}

type Env = Record<string, string | undefined>;

export function loadDiasConfig(env: Env = process.env): DiasConfig {
  const functionName = env.EOFN_FUNCTION as FunctionName;
  if (!FUNCTION_NAMES.includes(functionName)) {
    throw new Error(`EOFN_FUNCTION must be one of ${FUNCTION_NAMES.join(', ')}; got "${env.EOFN_FUNCTION ?? ''}"`);
  }
  const region = env.EOFN_S3_REGION || 'default';
  const archiveBuckets = list(env.EOFN_ARCHIVE_BUCKETS);
  const dir = secretsDir(env);
  return {
    functionName,
    databaseUrl: readSecret(SECRET_NAMES.databaseUrl, dir),
    callToken: readSecret(SECRET_NAMES.callToken, dir),
    listenHost: env.EOFN_LISTEN_HOST || '127.0.0.1',
    schema: env.EOFN_DB_SCHEMA || 'eofn',
    gatewayUrl: (env.EOFN_GATEWAY_URL || 'http://gateway.openfaas:8080').replace(/\/+$/, ''),
    functionPrefix: env.EOFN_FUNCTION_PREFIX ?? 'eofn-',
    callbackUrl: env.EOFN_CALLBACK_URL || undefined,
    results: { endpoint: env.EOFN_S3_ENDPOINT || undefined, region, credentials: credentials(dir, SECRET_NAMES.s3AccessKey, SECRET_NAMES.s3SecretKey) },
    archive: archiveBuckets.length ? {
      buckets: archiveBuckets,
      endpoint: env.EOFN_ARCHIVE_S3_ENDPOINT || env.EOFN_S3_ENDPOINT || undefined,
      region: env.EOFN_ARCHIVE_S3_REGION || region,
      credentials: credentials(dir, SECRET_NAMES.archiveAccessKey, SECRET_NAMES.archiveSecretKey),
      maxConnections: optionalPositive(env.EOFN_ARCHIVE_MAX_CONNECTIONS, 'EOFN_ARCHIVE_MAX_CONNECTIONS'),
      maxRequestsPerMinute: optionalPositive(env.EOFN_ARCHIVE_MAX_REQUESTS_PER_MINUTE, 'EOFN_ARCHIVE_MAX_REQUESTS_PER_MINUTE'),
    } : undefined,
    leaseSeconds: positive(env.EOFN_LEASE_SECONDS, 960, 'EOFN_LEASE_SECONDS'),
    dispatchTimeoutSeconds: positive(env.EOFN_DISPATCH_TIMEOUT_SECONDS, 3600, 'EOFN_DISPATCH_TIMEOUT_SECONDS'),
    dispatch: dispatchMode(env.EOFN_DISPATCH),
    dispatchConcurrency: positive(env.EOFN_DISPATCH_CONCURRENCY, 5, 'EOFN_DISPATCH_CONCURRENCY'),
    dispatchRetrySeconds: positive(env.EOFN_DISPATCH_RETRY_SECONDS, 5, 'EOFN_DISPATCH_RETRY_SECONDS'),
    maxAttempts: positive(env.EOFN_MAX_ATTEMPTS, 3, 'EOFN_MAX_ATTEMPTS'),
    minPartitions: positive(env.EOFN_MIN_PARTITIONS, 1, 'EOFN_MIN_PARTITIONS'),
    planFanOutTiles: positive(env.EOFN_PLAN_FAN_OUT_TILES, 4, 'EOFN_PLAN_FAN_OUT_TILES'),
    opMemoryMb: opMemory(env.EOFN_OP_MEMORY_MB),
    arrivalRulesHref: env.EOFN_ARRIVAL_RULES || undefined,
    stacApiUrl: env.EOFN_STAC_API_URL || undefined,
    stacCollections: list(env.EOFN_STAC_COLLECTIONS),
    stacMaxItems: positive(env.EOFN_STAC_MAX_ITEMS, 500, 'EOFN_STAC_MAX_ITEMS'),
    stacBbox: bbox(env.EOFN_STAC_BBOX),
    stacLookbackHours: positive(env.EOFN_STAC_LOOKBACK_HOURS, 48, 'EOFN_STAC_LOOKBACK_HOURS'),
    stacSortby: env.EOFN_STAC_SORTBY || 'properties.datetime',
  };
}

/** `composite=3538,tile-reduce=2048`: memory (MiB) of op functions that differs from their descriptor's. */
export function opMemory(v: string | undefined): DiasConfig['opMemoryMb'] {
  const out: DiasConfig['opMemoryMb'] = {};
  for (const pair of list(v)) {
    const [op, mb] = pair.split('=').map((s) => s.trim());
    if (!isOpName(op)) throw new Error(`EOFN_OP_MEMORY_MB: "${op}" is not an op; expected one of ${OP_NAMES.join(', ')}`);
    if (!mb || !Number.isInteger(Number(mb)) || Number(mb) <= 0) throw new Error(`EOFN_OP_MEMORY_MB: ${op} needs a whole number of MiB ("${op}=3538"); got "${pair}"`);
    out[op] = Number(mb);
  }
  return out;
}

function credentials(dir: string, keyName: string, secretName: string): S3Endpoint['credentials'] {
  const accessKeyId = readOptionalSecret(keyName, dir);
  const secretAccessKey = readOptionalSecret(secretName, dir);
  return accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined;
}

function list(v: string | undefined): string[] {
  return (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

function bbox(v: string | undefined): DiasConfig['stacBbox'] {
  if (!v) return undefined;
  const n = v.split(',').map(Number);
  if (n.length !== 4 || !n.every(Number.isFinite)) throw new Error(`EOFN_STAC_BBOX must be "west,south,east,north" in degrees; got "${v}"`);
  return n as [number, number, number, number];
}

function optionalPositive(v: string | undefined, name: string): number | undefined {
  return v === undefined || v === '' ? undefined : Math.floor(positive(v, 1, name));
}

function positive(v: string | undefined, fallback: number, name: string): number {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number; got "${v}"`);
  return n;
}

function dispatchMode(v: string | undefined): DiasConfig['dispatch'] {
  if (!v || v === 'queue') return 'queue';
  if (v === 'direct') return 'direct';
  throw new Error(`EOFN_DISPATCH must be queue or direct; got "${v}"`);
}
