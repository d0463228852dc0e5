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
  /** Sends again what of a job failed or died: partitions, tiles to plan, its merge or its submission. */
  redrive(jobId: string): Promise<RedriveSummary>;
}

/** What a redrive sent again. */
export interface RedriveSummary {
  partitions: number;
  /** Tiles of a fanned-out job whose `plan-tile` died. */
  tiles: number;
  merge: boolean;
  /** The job died in the jobs stage: its submission was sent again (nothing else was). */
  submission: boolean;
}

/** `redrove job x: 2 partition(s), 1 tile(s) to plan, its merge`, or that there was nothing to send. */
export function describeRedrive(jobId: string, sent: RedriveSummary): string {
  if (sent.submission) return `redrove job ${jobId}: its submission (the jobs stage plans it again)`;
  const what = [
    ...(sent.partitions ? [`${sent.partitions} partition(s)`] : []),
    ...(sent.tiles ? [`${sent.tiles} tile(s) to plan`] : []),
    ...(sent.merge ? ['its merge'] : []),
  ];
  return what.length ? `redrove job ${jobId}: ${what.join(', ')}` : `redrove job ${jobId}: nothing had failed or died, nothing sent`;
}
