/** The job lifecycle's public surface: the status vocabulary, the state store interface and the acceptance step. */
export {
  recordedStatus, reportedStatus,
  type JobStatus, type JobStatusView, type PartitionStatus, type PartitionStatusView, type RecordedPartitionStatus, type ReportedJobStatus,
} from '../engine/jobStatus.ts';
export { allSettled } from './jobStateStore.ts';
export type {
  PlannedTile, TileOutcome, AcceptedJob, Counts, Failure, FinalizeClaim, JobStateStore, NewJob, PartitionFailure, PartitionOutcome, PlannedJob, RecordOptions, RecordOutcome,
} from './jobStateStore.ts';
export { acceptJob, invalidJobId, type Acceptance, type AcceptedWork, type AcceptOptions, type AcceptSource, type StoredTile } from './acceptJob.ts';
export { sendTile } from './sendTile.ts';
export { planTileOf, type PlanTileOptions, type PlanTileResult } from './planTileOf.ts';
