/**
 * What `eofn submit`, `eofn status` and `eofn redrive` need from a deployment's state store. AWS
 * (DynamoDB + SQS) and DIAS (PostgreSQL + OpenFaaS) each implement it; the CLI loads one with `--backend`.
 *
 * @example
 * const backend = await loadBackend('aws');
 * const view = await backend.status('ndvi-33TWM-2023-08');
 */
import type { JobStatusView } from '../../core/lifecycle/index.ts';

/** The status vocabulary is the core's (`core/lifecycle/jobStatus.ts`): every backend reads it through its store. */
export type { JobStatusView, PartitionStatusView } from '../../core/lifecycle/index.ts';

export interface CliBackend {
  name: string;
  /** Sends a job (file href) for processing; returns the job id the deployment will know it by. */
  submit(jobHref: string): Promise<string>;
  status(jobId: string): Promise<JobStatusView | undefined>;
  /** Sends the failed (and dead-lettered) partitions of a job again; returns how many. */
  redrive(jobId: string): Promise<number>;
}
