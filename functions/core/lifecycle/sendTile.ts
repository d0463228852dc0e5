/**
 * Records one tile's stored plan in the job's state and sends its partitions, the same for a tile planned
 * by the jobs stage and one planned by its own `plan-tile` message. Only this tile's partitions are in
 * memory. A tile recorded before (a duplicate, a resumed jobs stage) is not counted again, and its
 * partitions are sent again only if they were not all sent (every message may arrive twice anyway).
 *
 * @example
 * const outcome = await sendTile(store, jobId, { key: '33TWM', href, digest }, (partitions) => sendPartitions(partitions));
 * if (outcome.finalize) await sendFinalize(jobId);
 */
import { loadTilePlan } from '../engine/tilePlans.ts';
import type { PartitionSpec } from '../plan/types.ts';
import type { StoredTile } from './acceptJob.ts';
import type { JobStateStore, RecordOptions, TileOutcome } from './jobStateStore.ts';

export async function sendTile(
  store: JobStateStore, jobId: string, tile: StoredTile, send: (partitions: PartitionSpec[]) => Promise<void>, options?: RecordOptions,
): Promise<TileOutcome & { partitions: number }> {
  const { plan } = await loadTilePlan(tile.href, tile.digest);
  const outcome = await store.recordTile(jobId, { ...tile, partitions: plan.partitions }, options);
  if (!outcome.sent) {
    await send(plan.partitions);
    await store.tileSent(jobId, tile.key);
  }
  return { ...outcome, partitions: plan.partitions.length };
}
