/** The engine's public surface: what the local runner and the cloud adapters call. */
export { readJobFile, readJobMessage } from './readJobFile.ts';
export { prepareJob, type PreparedJob } from './prepareJob.ts';
export { planJob, type JobPlan } from './planJob.ts';
export { mergeFitMemoryMb, MERGE_FIT_SEARCH_FACTOR } from './mergeFitMemoryMb.ts';
export { pruneDatasets } from './pruneDatasets.ts';
export { runPartition, partExists, partHref, partStore, PARTS_FOLDER } from './partitions.ts';
export { finalizeJob } from './finalizeJob.ts';
export { removeScratch, SCRATCH_FOLDERS } from './scratch.ts';
export { writeJobRecord, readJobRecord, type JobRecord, type PartitionRecord } from './jobRecord.ts';
export type { JobStatus, PartitionStatus } from './jobStatus.ts';
export type { JobMessage, PartitionMessage, FinalizeMessage, PlanTileMessage } from './messages.ts';
export { MAX_INLINE_MESSAGE_BYTES, jobMessageSchema, partitionMessageSchema, finalizeMessageSchema, planTileMessageSchema } from './messages.ts';
export { partitionToRun, jobForMerge, tilePlanCache, type TileRefOf, type LoadTilePlan } from './tiledWork.ts';
export { storePrepared, loadPrepared, preparedRefOf, withoutSearchItems, type StoredJob, type StoredRef } from './storedJob.ts';
export { plannedPartition, NotInPlanError } from './plannedPartition.ts';
export { preparedCache, type LoadPrepared } from './preparedCache.ts';
