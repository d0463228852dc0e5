/**
 * The database rows of a job as `eofn status` shows them and as `job.json` records them, so a job run on a
 * DIAS leaves the same record beside its product as a local run.
 *
 * @example
 * const view = jobStatusViewOf(jobRow, partitionRows); // view.done === 4
 */
import type { JobRecord } from '../../core/engine/jobRecord.ts';
import { mb } from '../../core/plan/memoryModel.ts';
import type { PartitionSpec } from '../../core/plan/types.ts';
import { recordedStatus, type JobStatusView, type PartitionStatus, type ReportedJobStatus } from '../../core/lifecycle/index.ts';

export interface JobRow {
  job_id: string;
  op: string;
  /** RUNNING, SUCCEEDED, FAILED or INVALID (see migrations/005_status_vocabulary.sql). */
  status: ReportedJobStatus;
  output_href: string | null;
  memory_mb: number | null;
  total: number;
  done: number;
  dead: number;
  finalize_state: string;
  /** A multi-tile job planned a tile at a time: its tiles and those planned (0 and 0 otherwise). */
  tiles: number;
  tiles_planned: number;
  errors: string[];
  created_at: Date;
  updated_at: Date;
}

export interface PartitionStateRow {
  partition_id: string;
  status: PartitionStatus;
  attempts: number;
  last_error: string | null;
  seconds: number | null;
  spec: PartitionSpec;
}

export function jobStatusViewOf(job: JobRow, partitions: PartitionStateRow[]): JobStatusView {
  return {
    id: job.job_id,
    op: job.op,
    status: job.status,
    total: job.total,
    done: partitions.filter((p) => p.status === 'SUCCEEDED').length,
    failed: partitions.filter((p) => p.status === 'DEAD' || p.status === 'FAILED').length,
    output: job.output_href ?? undefined,
    ...(job.tiles ? { tiles: { planned: job.tiles_planned, total: job.tiles } } : {}),
    partitions: partitions.map((p) => ({
      id: p.partition_id, status: p.status, attempts: p.attempts, ...(p.last_error ? { error: p.last_error } : {}),
    })),
    errors: job.errors,
  };
}

export function jobRecordOf(job: JobRow, partitions: PartitionStateRow[]): JobRecord {
  return {
    id: job.job_id,
    op: job.op,
    status: job.status,
    ...(job.memory_mb ? { memoryMb: job.memory_mb } : {}),
    partitions: partitions.map((p) => ({
      id: p.partition_id,
      status: recordedStatus(p.status),
      attempts: p.attempts,
      estimatedPeakMb: mb(p.spec.estimatedPeakBytes),
      ...(p.seconds !== null ? { seconds: Math.round(p.seconds * 1000) / 1000 } : {}),
      ...(p.last_error ? { error: p.last_error } : {}),
    })),
    timings: { total: Math.round((job.updated_at.getTime() - job.created_at.getTime())) / 1000 },
    errors: job.errors,
    updated: job.updated_at.toISOString(),
  };
}
