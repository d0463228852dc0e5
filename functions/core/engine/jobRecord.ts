/**
 * `job.json`: the record of a job run that sits beside its product: status, partitions with their
 * attempts, timings and errors. Local runs and the cloud finalizers write the same shape.
 *
 * @example
 * await writeJobRecord(prepared.outputHref, record);
 */
import { storageFor } from '../io/storage.ts';
import type { RecordedPartitionStatus, ReportedJobStatus } from './jobStatus.ts';

export interface PartitionRecord {
  id: string;
  status: RecordedPartitionStatus;
  attempts: number;
  seconds?: number;
  estimatedPeakMb?: number;
  error?: string;
  /** True when the part was found from an earlier run and not computed again. */
  reused?: boolean;
}

export interface JobRecord {
  id: string;
  op: string;
  status: ReportedJobStatus;
  memoryMb?: number;
  partitions: PartitionRecord[];
  timings: Record<string, number>;
  errors: string[];
  updated: string;
  /** The command that resumes this job (parts already written are reused). */
  resume?: string;
  /** The local process running the job, so `eofn status` can tell a live run from an interrupted one. */
  runner?: { pid: number; host: string };
}

export async function writeJobRecord(outputHref: string, record: JobRecord): Promise<void> {
  const href = `${outputHref}/job.json`;
  await storageFor(href).write(href, new TextEncoder().encode(JSON.stringify(record, null, 2) + '\n'), 'application/json');
}

export async function readJobRecord(outputHref: string): Promise<JobRecord | undefined> {
  const href = `${outputHref}/job.json`;
  const storage = storageFor(href);
  if ((await storage.size(href)) === undefined) return undefined;
  return JSON.parse(new TextDecoder().decode(await storage.readAll(href)));
}
