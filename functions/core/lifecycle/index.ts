/** The job lifecycle's public surface: the status vocabulary, the state store interface and the acceptance step. */
export {
  recordedStatus, reportedStatus,
  type JobStatus, type JobStatusView, type PartitionStatus, type PartitionStatusView, type RecordedPartitionStatus, type ReportedJobStatus,
} from '../engine/jobStatus.ts';
export type {
  AcceptedJob, Counts, Failure, FinalizeClaim, JobStateStore, NewJob, PartitionFailure, PartitionOutcome, PlannedJob, RecordOptions, RecordOutcome,
} from './jobStateStore.ts';
export { acceptJob, invalidJobId, type Acceptance, type AcceptOptions, type AcceptSource } from './acceptJob.ts';
