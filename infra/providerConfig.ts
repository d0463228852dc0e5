/**
 * A provider configuration: everything that differs between deployments (region, buckets, source-data
 * permissions, arrival topics and rules, timeout and concurrency per op). One JSON file per provider in
 * `infra/config/<name>.json`, chosen with `-c provider=<name>`. Every op (`functions/core/ops/descriptors.ts`)
 * gets a function; its memory is the op's descriptor's unless the file overrides it (`ops.<op>.memoryMb`).
 * A loaded configuration has every op's resolved size.
 *
 * @example
 * const config = loadProviderConfig('aws-eu-central-1');
 */
import { readFileSync, readdirSync } from 'node:fs';
import { FINALIZE_MEMORY_MB } from '../functions/core/plan/opMemory.ts';
import { join } from 'node:path';
import { z } from 'zod';
import { ArrivalRulesSchema } from '../functions/core/arrivals/arrivalRules.ts';
import { OP_NAMES, opMemoryMb, type OpName } from '../functions/core/ops/descriptors.ts';

const FunctionSizeSchema = z.strictObject({
  memoryMb: z.number().int().min(128).max(10240),
  timeoutSeconds: z.number().int().min(1).max(900),
  /** Most concurrent invocations the queue's event source starts (2–1000). */
  concurrency: z.number().int().min(2).max(1000).default(50),
  /** `/tmp` in MB (512–10240; unset: Lambda's 512). The jobs stage converts unindexed parcel files there (~150 B a parcel). */
  tmpMb: z.number().int().min(512).max(10240).optional(),
});

/** An op's function: memory only when it overrides the descriptor's default (`memoryMb` is then that size). */
const OpFunctionSchema = z.strictObject({
  memoryMb: z.number().int().min(128).max(10240).optional(),
  timeoutSeconds: z.number().int().min(1).max(900).default(300),
  concurrency: z.number().int().min(2).max(1000).default(50),
});
type OpFunction = z.infer<typeof OpFunctionSchema>;

const OpsSchema = z.strictObject(Object.fromEntries(OP_NAMES.map((op) => [op, OpFunctionSchema.default({ timeoutSeconds: 300, concurrency: 50 })])) as Record<OpName, z.ZodDefault<typeof OpFunctionSchema>>)
  .transform((ops) => Object.fromEntries(OP_NAMES.map((op) => [op, resolveOp(op, ops[op])])) as Record<OpName, Required<OpFunction>>);

function resolveOp(op: OpName, f: OpFunction): Required<OpFunction> {
  return { memoryMb: f.memoryMb ?? opMemoryMb(op), timeoutSeconds: f.timeoutSeconds, concurrency: f.concurrency };
}

export const ProviderConfigSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]+$/),
  description: z.string().optional(),
  account: z.string().optional(),
  region: z.string(),
  architecture: z.enum(['arm64', 'x86_64']).default('arm64'),
  /** Buckets of source data the functions may read (read-only), e.g. the public `sentinel-cogs`. */
  sourceBuckets: z.array(z.string()).default([]),
  /** https hosts jobs may read from (`*.example.com` for subdomains); unset: any public host (docs/security.md). */
  allowedHosts: z.array(z.string()).optional(),
  /** STAC item JSON written under this prefix of the data bucket starts jobs (S3 ObjectCreated). */
  arrivalPrefix: z.string().default('arrivals/'),
  /** SNS topics that publish new STAC items (e.g. Earth Search's new-item topic). */
  arrivalTopics: z.array(z.string()).default([]),
  arrivalRules: ArrivalRulesSchema.default([]),
  /** Per op: timeout, concurrency, and memory where it overrides the op's default; an op not listed gets the defaults. */
  ops: OpsSchema,
  jobs: FunctionSizeSchema.default({ memoryMb: 1024, timeoutSeconds: 120, concurrency: 10, tmpMb: 2048 }),
  finalize: FunctionSizeSchema.default({ memoryMb: FINALIZE_MEMORY_MB, timeoutSeconds: 900, concurrency: 10 }),
  /** Deliveries of a message before it moves to its queue's DLQ (throttled receives count too: AWS advises ≥ 5). */
  maxReceiveCount: z.number().int().min(5).max(50).default(5),
  /** The account's regional Lambda concurrency quota: the caps of all functions must fit it (checked at synth). */
  accountConcurrency: z.number().int().min(100).default(1000),
  /** Concurrency reserved for the arrivals function, so new data is never throttled by a burst of partitions. */
  arrivalsReservedConcurrency: z.number().int().min(1).max(100).default(5),
  /** Days a finished job's records stay in the jobs table (DynamoDB TTL). */
  retentionDays: z.number().min(1).max(3650).default(30),
  /** Minutes between sweeper runs (partitions past their deadline). */
  sweepMinutes: z.number().int().min(1).max(60).default(5),
  /** Optional e-mail subscribed to the alarm topic (the subscription must be confirmed). */
  alarmEmail: z.email().optional(),
  /** Keep buckets and tables when the stack is deleted (production) or destroy them (test deployments). */
  retainData: z.boolean().default(true),
});
export type ProviderConfig = z.infer<typeof ProviderConfigSchema>;

export const CONFIG_DIR = join(import.meta.dirname, 'config');

export function providerNames(): string[] {
  return readdirSync(CONFIG_DIR).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
}

export function loadProviderConfig(name: string): ProviderConfig {
  if (!providerNames().includes(name)) {
    throw new Error(`unknown provider "${name}": choose one of ${providerNames().join(', ')} (infra/config/<name>.json)`);
  }
  const parsed = ProviderConfigSchema.safeParse(JSON.parse(readFileSync(join(CONFIG_DIR, `${name}.json`), 'utf8')));
  if (!parsed.success) throw new Error(`infra/config/${name}.json: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
