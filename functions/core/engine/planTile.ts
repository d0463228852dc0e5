/**
 * Planning a multi-tile job one tile at a time, within the deployment's ceilings, so that no function
 * holds every partition of the job: `planTile` plans one tile and checks what one tile can break (its
 * partitions, output pixels, merge, cost); `checkTiledJob` checks the job's sums over its tiles (cheap
 * numbers, kept while each tile's partitions are stored and dropped). When planning is fanned out (one
 * `plan-tile` message per tile), no function sees the sums before partitions are sent, so each tile gets
 * an equal share of the job's ceilings (`tileShare`): the tiles together can never pass them.
 *
 * @example
 * const plan = planTile(prepared, tile, 3, { memoryMb: 1769, limits: tileShare(limits, 3) });
 * sums = addTile(sums, plan);
 * checkTiledJob(sums, limits);
 */
import { estimateCost } from '../plan/costModel.ts';
import {
  checkCost, checkJobOutputPixels, checkMergeBytes, checkMergeScratchBytes, checkPartitionCount, DEFAULT_JOB_LIMITS, JobTooLargeError, type JobLimits,
} from '../plan/jobLimits.ts';
import { budgetBytes, DEFAULT_MEMORY_MB } from '../plan/memoryModel.ts';
import type { OpPlan } from '../plan/types.ts';
import { operationOf } from '../ops/registry.ts';
import type { TileSetup } from '../ops/tiles/tiledSetup.ts';
import type { PlanJobOptions } from './planJob.ts';
import type { PreparedJob } from './preparedJob.ts';

/** What a job's ceilings need of its tiles' plans: numbers only. */
export interface TileSums {
  tiles: number;
  partitions: number;
  /** Output pixels of raster tiles (partitions without `work`). */
  outputPixels: number;
  /** A parcel table's partitions say their work: no output grid. */
  tables: boolean;
  mergePeakBytes: number;
  mergeScratchBytes: number;
  costUsd: number;
}

export const NO_TILES: TileSums = { tiles: 0, partitions: 0, outputPixels: 0, tables: false, mergePeakBytes: 0, mergeScratchBytes: 0, costUsd: 0 };

export function planTile(prepared: PreparedJob, tile: TileSetup, tileCount: number, opts: PlanJobOptions = {}): OpPlan {
  const tiles = operationOf(prepared.job.op).tiles;
  if (!tiles) throw new Error(`op ${prepared.job.op} has no tiles`);
  const memoryMb = opts.memoryMb ?? DEFAULT_MEMORY_MB;
  const limits = { ...DEFAULT_JOB_LIMITS, ...opts.limits };
  const plan = tiles.planTile(tile, { budgetBytes: budgetBytes(memoryMb), minPartitions: opts.minPartitions, limits }, tileCount);
  try {
    checkTiledJob(addTile(NO_TILES, plan, prepared, memoryMb), limits);
  } catch (e) {
    if (e instanceof JobTooLargeError) e.message = `tile ${tile.key}: ${e.message}`;
    throw e;
  }
  return plan;
}

/** The sums with one more tile's plan. */
export function addTile(sums: TileSums, plan: OpPlan, prepared: PreparedJob, memoryMb: number): TileSums {
  const tables = plan.partitions.some((p) => p.work);
  return {
    tiles: sums.tiles + 1,
    partitions: sums.partitions + plan.partitions.length,
    outputPixels: sums.outputPixels + (tables ? 0 : plan.partitions.reduce((s, p) => s + (p.window ? p.window.width * p.window.height : 0), 0)),
    tables: sums.tables || tables,
    // Tiles are merged one after the other: the merge's peak is the largest tile's.
    mergePeakBytes: Math.max(sums.mergePeakBytes, plan.mergePeakBytes),
    mergeScratchBytes: Math.max(sums.mergeScratchBytes, plan.mergeScratchBytes ?? 0),
    // Each tile's estimate counts the jobs and finalize functions' start once more: an upper bound.
    costUsd: sums.costUsd + estimateCost({ ...plan, jobId: prepared.job.id, op: prepared.job.op, memoryMb }).totalUsd,
  };
}

export function checkTiledJob(sums: TileSums, limits: JobLimits): void {
  if (!sums.tables) checkJobOutputPixels(sums.outputPixels, sums.tiles, limits);
  checkPartitionCount(sums.partitions, limits);
  checkMergeBytes(sums.mergePeakBytes, limits);
  checkMergeScratchBytes(sums.mergeScratchBytes, limits);
  checkCost(sums.costUsd, limits);
}

/** A tile's share of the job's ceilings when tiles are planned apart: the sums of the shares stay within the job's. */
export function tileShare(limits: Partial<JobLimits> | undefined, tileCount: number): JobLimits {
  const l = { ...DEFAULT_JOB_LIMITS, ...limits };
  const n = Math.max(1, tileCount);
  return { ...l, maxPartitions: Math.floor(l.maxPartitions / n), maxOutputPixels: Math.floor(l.maxOutputPixels / n), maxCostUsd: l.maxCostUsd / n };
}
