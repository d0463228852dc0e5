/**
 * The one status vocabulary of a job and its partitions, on every platform: the local runner's `job.json`,
 * DynamoDB on AWS, PostgreSQL on a DIAS and `eofn status` all speak it. What a view shows is a subset of it.
 *
 * @example
 * const view: JobStatusView = { id, op, status: 'RUNNING', total: 8, done: 3, failed: 0, partitions: [], errors: [] };
 */

/**
 * PLANNED: accepted, partitions not all sent yet (AWS; a DIAS records its partitions with the job).
 * FINALIZING: the merge is claimed (AWS keeps it in the status; a DIAS in `finalize_state`); shown as RUNNING.
 * INTERRUPTED: a local run stopped (signal, crash) before it settled; `resume` says how to go on.
 */
export type JobStatus = 'PLANNED' | 'RUNNING' | 'FINALIZING' | 'SUCCEEDED' | 'FAILED' | 'INVALID' | 'INTERRUPTED';

/** DEAD: failed for good (permanent error, or out of attempts); FAILED: an attempt failed, another is due. */
export type PartitionStatus = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'DEAD';

/** What a job is reported as (`eofn status`, `job.json`): a claimed merge is still RUNNING to its user. */
export type ReportedJobStatus = Exclude<JobStatus, 'FINALIZING'>;

/** What `job.json` records of a partition: a DEAD partition is one that FAILED for good. */
export type RecordedPartitionStatus = Exclude<PartitionStatus, 'DEAD'>;

export function reportedStatus(status: JobStatus): ReportedJobStatus {
  return status === 'FINALIZING' ? 'RUNNING' : status;
}

export function recordedStatus(status: PartitionStatus): RecordedPartitionStatus {
  return status === 'DEAD' ? 'FAILED' : status;
}

export interface PartitionStatusView {
  id: string;
  status: PartitionStatus;
  attempts: number;
  error?: string;
}

/** A job as `eofn status` shows it, read from a deployment's state store. */
export interface JobStatusView {
  id: string;
  op: string;
  status: ReportedJobStatus;
  total: number;
  done: number;
  failed: number;
  output?: string;
  /** A multi-tile job: tiles whose plan is recorded, of all its tiles (planning fanned out shows its progress here). */
  tiles?: { planned: number; total: number };
  partitions: PartitionStatusView[];
  errors: string[];
  /** How to go on after an interruption or a failure. */
  resume?: string;
}
