/**
 * What a function of a job with stored tile plans (`tilePlans.ts`) loads: a partition's function, the job's
 * tile list and its own tile's plan, found by the partition id's tile key and checked against the digest
 * the job's state recorded for that tile; the merge, every tile's plan, one after the other. A job stored
 * whole (one grid) is read as before.
 *
 * @example
 * const { prepared, partition } = await partitionToRun(stored, jobId, partitionId, (key) => store.plannedTile(jobId, key));
 */
import { isTiled, tileOfPartitionId, type TiledSetup } from '../ops/tiles/tiledSetup.ts';
import type { PartitionSpec } from '../plan/types.ts';
import { NotInPlanError, partitionOf, plannedPartition } from './plannedPartition.ts';
import { digestKeyedCache } from './preparedCache.ts';
import type { PreparedJob } from './preparedJob.ts';
import type { StoredJob, StoredRef } from './storedJob.ts';
import { loadTilePlan, type TilePlan } from './tilePlans.ts';

/** Where the job's state says a tile's plan is, with its digest; undefined when the tile is not planned (yet). */
export type TileRefOf = (key: string) => Promise<StoredRef | undefined>;
export type LoadTilePlan = (ref: string, digest: string) => Promise<TilePlan>;

/** Tile plans a warm function keeps: one tile's partitions at a time is the rule, a few is enough. */
const KEPT = 8;

/** A warm function's cache of tile plans, keyed by digest and href (as `preparedCache`). */
export function tilePlanCache(kept = KEPT): LoadTilePlan {
  return digestKeyedCache(loadTilePlan, kept);
}

const tilePrepared = new WeakMap<TilePlan, PreparedJob>();

export async function partitionToRun(
  stored: StoredJob, jobId: string, partitionId: string, tileRefOf: TileRefOf, loadTile: LoadTilePlan = loadTilePlan,
): Promise<{ prepared: PreparedJob; partition: PartitionSpec }> {
  if (!stored.tilePlans) return { prepared: stored.prepared, partition: plannedPartition(stored, jobId, partitionId) };
  const setup = stored.prepared.setup;
  const key = isTiled(setup) ? tileOfPartitionId(setup, partitionId) : undefined;
  if (stored.prepared.job.id !== jobId || !key) throw new NotInPlanError(jobId, partitionId);
  const ref = await tileRefOf(key);
  if (!ref) throw new NotInPlanError(jobId, partitionId, `tile ${key} of job ${jobId} is not planned`);
  const tilePlan = await loadTile(ref.href, ref.digest);
  const partition = partitionOf(tilePlan.plan, partitionId);
  if (!partition) throw new NotInPlanError(jobId, partitionId);
  let prepared = tilePrepared.get(tilePlan);
  // The job with its one tile: the op runs the partition on that tile's setup.
  if (!prepared) tilePrepared.set(tilePlan, prepared = { ...stored.prepared, setup: { kind: 'tiles', tiles: [tilePlan.tile] } satisfies TiledSetup });
  return { prepared, partition };
}

/**
 * The whole job for its merge: the tiles' setups and partitions in tile order, as `planJob` would have
 * planned them at once. A tile that is not planned fails the merge (finalize is only sent once all are).
 */
export async function jobForMerge(stored: StoredJob, tileRefOf: TileRefOf, loadTile: LoadTilePlan = loadTilePlan): Promise<StoredJob> {
  if (!stored.tilePlans) return stored;
  const list = stored.prepared.setup as TiledSetup;
  const tiles: TiledSetup['tiles'] = [];
  const partitions: PartitionSpec[] = [];
  let mergePeakBytes = 0;
  for (const { key } of list.tiles) {
    const ref = await tileRefOf(key);
    if (!ref) throw new Error(`tile ${key} of job ${stored.prepared.job.id} has no recorded plan`);
    const { tile, plan } = await loadTile(ref.href, ref.digest);
    tiles.push(tile);
    for (const p of plan.partitions) partitions.push(p);
    mergePeakBytes = Math.max(mergePeakBytes, plan.mergePeakBytes);
  }
  return { prepared: { ...stored.prepared, setup: { kind: 'tiles', tiles } }, plan: { ...stored.plan, partitions, mergePeakBytes } };
}
