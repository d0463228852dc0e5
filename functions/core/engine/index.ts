/** The engine's public surface: what the local runner and the cloud adapters call. */
export { readJobFile } from './readJobFile.ts';
export { prepareJob, type PreparedJob } from './prepareJob.ts';
export { planJob, type JobPlan } from './planJob.ts';
export { runPartition, partExists, partHref, partStore, PARTS_FOLDER } from './partitions.ts';
export { finalizeJob } from './finalizeJob.ts';
export { removeScratch, SCRATCH_FOLDERS } from './scratch.ts';
export { writeJobRecord, readJobRecord, type JobRecord, type PartitionRecord, type JobStatus } from './jobRecord.ts';
export type { JobMessage, PartitionMessage, FinalizeMessage } from './messages.ts';
export { MAX_INLINE_MESSAGE_BYTES } from './messages.ts';
export { storePrepared, loadPrepared, preparedRefOf, withoutSearchItems, type StoredJob, type StoredRef } from './storedJob.ts';
export { plannedPartition, NotInPlanError } from './plannedPartition.ts';
