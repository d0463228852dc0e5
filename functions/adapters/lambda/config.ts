/**
 * The deployment's wiring as the functions see it: table and queue names, memory per op, arrival rules.
 * The CDK stack sets these variables (see `infra/eofnStack.ts`); tests set them to emulator resources.
 *
 * @example
 * const config = configFromEnv(); // reads EOFN_TABLE, EOFN_OP_QUEUES, …
 */
import { ArrivalRulesSchema, type ArrivalRule } from '../../core/arrivals/arrivalRules.ts';
import type { JobLimits } from '../../core/plan/jobLimits.ts';
import { budgetBytes } from '../../core/plan/memoryModel.ts';
import { FINALIZE_MEMORY_MB } from '../../core/plan/opMemory.ts';
import { jobLimitsFromEnv } from '../shared/jobLimitsFromEnv.ts';

export interface DeploymentConfig {
  tableName: string;
  /** Powertools idempotency records of the op handlers. */
  idempotencyTableName: string;
  jobsQueueUrl: string;
  finalizeQueueUrl: string;
  /** Queue URL of each deployed op. */
  opQueues: Record<string, string>;
  /** Memory of each op's function: the planner splits a job so that a partition fits it. */
  opMemoryMb: Record<string, number>;
  completionTopicArn?: string;
  /** Where jobs too large for a message are staged (`s3://bucket/prefix`). */
  stagingPrefix: string;
  /** The queues' `maxReceiveCount`: the attempt that reaches it is the last before the DLQ. */
  maxReceiveCount: number;
  arrivalRules: ArrivalRule[];
  /** Job ceilings (`EOFN_MAX_*`); the finalize function's memory bounds the merge by default. */
  jobLimits?: Partial<JobLimits>;
}

export const ENV = {
  table: 'EOFN_TABLE',
  idempotencyTable: 'EOFN_IDEMPOTENCY_TABLE',
  jobsQueue: 'EOFN_JOBS_QUEUE_URL',
  finalizeQueue: 'EOFN_FINALIZE_QUEUE_URL',
  opQueues: 'EOFN_OP_QUEUES',
  opMemory: 'EOFN_OP_MEMORY_MB',
  completionTopic: 'EOFN_COMPLETION_TOPIC_ARN',
  staging: 'EOFN_STAGING',
  maxReceiveCount: 'EOFN_MAX_RECEIVE_COUNT',
  arrivalRules: 'EOFN_ARRIVAL_RULES',
} as const;

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): DeploymentConfig {
  return {
    tableName: env[ENV.table] ?? '',
    idempotencyTableName: env[ENV.idempotencyTable] ?? '',
    jobsQueueUrl: env[ENV.jobsQueue] ?? '',
    finalizeQueueUrl: env[ENV.finalizeQueue] ?? '',
    opQueues: json(env, ENV.opQueues, {}),
    opMemoryMb: json(env, ENV.opMemory, {}),
    completionTopicArn: env[ENV.completionTopic] || undefined,
    stagingPrefix: (env[ENV.staging] ?? '').replace(/\/+$/, ''),
    maxReceiveCount: Number(env[ENV.maxReceiveCount] ?? 3),
    arrivalRules: ArrivalRulesSchema.parse(json(env, ENV.arrivalRules, [])),
    jobLimits: jobLimitsFromEnv(env, { maxMergeBytes: budgetBytes(FINALIZE_MEMORY_MB) }),
  };
}

/** The inverse of `configFromEnv`: what the stack (and the tests) put into a function's environment. */
export function configToEnv(config: DeploymentConfig): Record<string, string> {
  return {
    [ENV.table]: config.tableName,
    [ENV.idempotencyTable]: config.idempotencyTableName,
    [ENV.jobsQueue]: config.jobsQueueUrl,
    [ENV.finalizeQueue]: config.finalizeQueueUrl,
    [ENV.opQueues]: JSON.stringify(config.opQueues),
    [ENV.opMemory]: JSON.stringify(config.opMemoryMb),
    ...(config.completionTopicArn ? { [ENV.completionTopic]: config.completionTopicArn } : {}),
    [ENV.staging]: config.stagingPrefix,
    [ENV.maxReceiveCount]: String(config.maxReceiveCount),
    [ENV.arrivalRules]: JSON.stringify(config.arrivalRules),
  };
}

function json<T>(env: NodeJS.ProcessEnv, name: string, fallback: T): T {
  const text = env[name];
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new Error(`${name} is not JSON: ${(e as Error).message}`);
  }
}
