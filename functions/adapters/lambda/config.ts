/**
 * The deployment's wiring as the functions see it, in two parts. The names of its resources (table, queues,
 * topic, staging prefix) are CloudFormation values and travel in the environment. Everything else (memory
 * and timeout per op, maxReceiveCount, retention, arrival rules) is one settings object that the stack
 * bundles into the function code at synth (esbuild `define` of `EOFN_BUNDLED_SETTINGS`), so it is not bound
 * by Lambda's 4 KB environment; tests and LocalStack pass it as `EOFN_SETTINGS` JSON instead.
 *
 * @example
 * const config = configFromEnv(); // names from EOFN_TABLE, EOFN_OP_QUEUES, …; settings bundled
 */
import { ArrivalRulesSchema, type ArrivalRule } from '../../core/arrivals/arrivalRules.ts';
import { isOpName, OP_NAMES, type OpName } from '../../core/ops/descriptors.ts';
import type { JobLimits } from '../../core/plan/jobLimits.ts';
import { budgetBytes } from '../../core/plan/memoryModel.ts';
import { FINALIZE_MEMORY_MB, FINALIZE_SCRATCH_MB } from '../../core/plan/opMemory.ts';
import { jobLimitsFromEnv } from '../shared/jobLimitsFromEnv.ts';

declare const EOFN_BUNDLED_SETTINGS: string | undefined;

export interface DeploymentNames {
  tableName: string;
  /** Powertools idempotency records of the op handlers. */
  idempotencyTableName: string;
  jobsQueueUrl: string;
  finalizeQueueUrl: string;
  /** Queue URL of each deployed op. */
  opQueues: Record<string, string>;
  completionTopicArn?: string;
  /** Where jobs too large for a message are staged (`s3://bucket/prefix`). */
  stagingPrefix: string;
}

export interface DeploymentSettings {
  /** Memory of each op's function: the planner splits a job so that a partition fits it. */
  opMemoryMb: Record<string, number>;
  /** Timeout of each op's function (seconds): with maxReceiveCount it bounds how long a partition may stay open. */
  opTimeoutSeconds: Record<string, number>;
  /** The queues' `maxReceiveCount`: the attempt that reaches it is the last before the DLQ. */
  maxReceiveCount: number;
  /** Days a finished job's records stay in the table (DynamoDB TTL). */
  retentionDays: number;
  arrivalRules: ArrivalRule[];
  /** The planner splits a job into at least this many partitions (as `EOFN_MIN_PARTITIONS` on a DIAS); default 1. */
  minPartitions?: number;
  /** Job ceilings (`EOFN_MAX_*`); the finalize function's memory bounds the merge by default. */
  jobLimits?: Partial<JobLimits>;
  /**
   * A multi-tile job of more tiles than this is planned one `plan-tile` message per tile (each prepares and
   * plans its tile in a jobs function of its own) instead of tile after tile in one; default 4.
   */
  planFanOutTiles?: number;
}

export type DeploymentConfig = DeploymentNames & DeploymentSettings;

export const ENV = {
  table: 'EOFN_TABLE',
  idempotencyTable: 'EOFN_IDEMPOTENCY_TABLE',
  jobsQueue: 'EOFN_JOBS_QUEUE_URL',
  finalizeQueue: 'EOFN_FINALIZE_QUEUE_URL',
  opQueues: 'EOFN_OP_QUEUES',
  completionTopic: 'EOFN_COMPLETION_TOPIC_ARN',
  staging: 'EOFN_STAGING',
  settings: 'EOFN_SETTINGS',
  /** Which op's queue an op function consumes (one entry, `entries/op.ts`, serves them all). */
  op: 'EOFN_OP',
} as const;

export const DEFAULT_SETTINGS: DeploymentSettings = { opMemoryMb: {}, opTimeoutSeconds: {}, maxReceiveCount: 5, retentionDays: 30, arrivalRules: [], planFanOutTiles: 4 };

/** The settings the stack bundled, if this code was bundled by it. */
export function bundledSettings(): string | undefined {
  return typeof EOFN_BUNDLED_SETTINGS === 'string' ? EOFN_BUNDLED_SETTINGS : undefined;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env, bundled: string | undefined = bundledSettings()): DeploymentConfig {
  const settings = { ...DEFAULT_SETTINGS, ...parse<Partial<DeploymentSettings>>(bundled ?? env[ENV.settings], bundled ? 'the bundled settings' : ENV.settings, {}) };
  return {
    tableName: env[ENV.table] ?? '',
    idempotencyTableName: env[ENV.idempotencyTable] ?? '',
    jobsQueueUrl: env[ENV.jobsQueue] ?? '',
    finalizeQueueUrl: env[ENV.finalizeQueue] ?? '',
    opQueues: parse(env[ENV.opQueues], ENV.opQueues, {}),
    completionTopicArn: env[ENV.completionTopic] || undefined,
    stagingPrefix: (env[ENV.staging] ?? '').replace(/\/+$/, ''),
    ...settings,
    arrivalRules: ArrivalRulesSchema.parse(settings.arrivalRules),
    jobLimits: jobLimitsFromEnv(env, { maxMergeBytes: budgetBytes(FINALIZE_MEMORY_MB), maxMergeScratchBytes: budgetBytes(FINALIZE_SCRATCH_MB) }),
  };
}

/** The op an op function serves, from `EOFN_OP` (set per function by the stack). */
export function opFromEnv(env: Record<string, string | undefined> = process.env): OpName {
  const op = env[ENV.op] ?? '';
  if (!isOpName(op)) throw new Error(`${ENV.op} must be one of ${OP_NAMES.join(', ')}; got "${op}"`);
  return op;
}

/** The resource names as environment variables (what the stack sets on every function). */
export function namesToEnv(names: DeploymentNames): Record<string, string> {
  return {
    [ENV.table]: names.tableName,
    [ENV.idempotencyTable]: names.idempotencyTableName,
    [ENV.jobsQueue]: names.jobsQueueUrl,
    [ENV.finalizeQueue]: names.finalizeQueueUrl,
    [ENV.opQueues]: JSON.stringify(names.opQueues),
    ...(names.completionTopicArn ? { [ENV.completionTopic]: names.completionTopicArn } : {}),
    [ENV.staging]: names.stagingPrefix,
  };
}

export function settingsJson(config: DeploymentSettings): string {
  const { opMemoryMb, opTimeoutSeconds, maxReceiveCount, retentionDays, arrivalRules } = config;
  return JSON.stringify({ opMemoryMb, opTimeoutSeconds, maxReceiveCount, retentionDays, arrivalRules });
}

function parse<T>(text: string | undefined, name: string, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new Error(`${name} is not JSON: ${(e as Error).message}`);
  }
}
