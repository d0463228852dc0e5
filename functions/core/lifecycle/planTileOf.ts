/**
 * One `plan-tile` message: a tile of a job whose planning is fanned out is prepared (its parcels read, its
 * items' grids checked), planned within its share of the job's ceilings (`tileShare`: the tiles together
 * stay within the job's), stored, recorded and its partitions sent. A duplicate finds the tile recorded
 * and records nothing again; a tile that cannot be planned (bad input, past its ceiling) fails the job
 * with the reason. What is planned comes from the job's record (prepared job and digest), never from the
 * message, which names a job and a tile. Where no queue retries a lost message (a DIAS), the tile is claimed
 * with a lease first (`claim`), and a duplicate that finds it claimed leaves it to the call that holds it.
 *
 * @example
 * const result = await planTileOf({ kind: 'plan-tile', jobId, tile: '33TWM' }, { store, send: sendPartitions });
 */
import { describeFailure, InputError, isPermanent } from '../errors.ts';
import type { PlanTileMessage } from '../engine/messages.ts';
import { planTile, tileShare } from '../engine/planTile.ts';
import { prepareTileOf } from '../engine/prepareJob.ts';
import { loadPrepared } from '../engine/storedJob.ts';
import { storeTilePlan } from '../engine/tilePlans.ts';
import { isTiled } from '../ops/tiles/tiledSetup.ts';
import type { JobLimits } from '../plan/jobLimits.ts';
import type { PartitionSpec } from '../plan/types.ts';
import type { StoredTile } from './acceptJob.ts';
import type { JobStateStore, RecordOptions } from './jobStateStore.ts';
import { sendTile } from './sendTile.ts';

export interface PlanTileOptions {
  store: JobStateStore;
  send(partitions: PartitionSpec[]): Promise<void>;
  minPartitions?: number;
  /** The deployment's ceilings for the whole job; the tile plans within its share of them. */
  limits?: Partial<JobLimits>;
  recordOptions?: RecordOptions;
  /**
   * Where no queue retries a lost message (a DIAS): the tile is taken with a lease before it is planned, so
   * that a call whose function dies is sent again; `start` gives the attempt, or undefined while another
   * call holds the tile. A failure a retry may fix is noted with `failed`, due again at once.
   */
  claim?: {
    start(jobId: string, key: string): Promise<number | undefined>;
    failed(jobId: string, key: string, attempt: number, error: string): Promise<void>;
  };
}

export type PlanTileResult =
  | { outcome: 'planned'; jobId: string; tile: string; partitions: number; changed: boolean; finalize?: boolean }
  /** The job is not running (failed by another tile, or finished): nothing to plan. */
  | { outcome: 'skipped'; jobId: string; tile: string; reason: string }
  | { outcome: 'failed'; jobId: string; tile: string; error: string };

const SETTLED = new Set(['SUCCEEDED', 'FAILED', 'INVALID']);

export async function planTileOf(msg: PlanTileMessage, options: PlanTileOptions): Promise<PlanTileResult> {
  const { store } = options;
  const { jobId, tile: key } = msg;
  const planned = await store.plannedJob(jobId);
  if (!planned) throw new InputError('message', `plan-tile for job ${jobId}, which was never planned here`);
  if (SETTLED.has(planned.status)) return { outcome: 'skipped', jobId, tile: key, reason: `the job is ${planned.status}` };
  const stored = await loadPrepared(planned.preparedRef, planned.preparedDigest);
  const list = stored.prepared.setup;
  const count = isTiled(list) ? list.tiles.length : 0;
  if (!stored.tilePlans || !isTiled(list) || !list.tiles.some((t) => t.key === key)) {
    throw new InputError('message', `plan-tile for tile ${key}, which is not a tile of job ${jobId}`);
  }
  let ref: StoredTile;
  const known = await store.plannedTile(jobId, key);
  if (known) {
    ref = { key, ...known };
  } else {
    const attempt = await options.claim?.start(jobId, key);
    if (options.claim && attempt === undefined) return { outcome: 'skipped', jobId, tile: key, reason: 'another call is planning it' };
    try {
      const tile = await prepareTileOf(stored.prepared, key);
      const plan = planTile(stored.prepared, tile, count, { memoryMb: stored.plan.memoryMb, minPartitions: options.minPartitions, limits: tileShare(options.limits, count) });
      ref = { key, ...(await storeTilePlan(stored.prepared.outputHref, { tile, plan })) };
    } catch (e) {
      const { error } = describeFailure(e);
      if (!isPermanent(e)) {
        if (attempt !== undefined) await options.claim?.failed(jobId, key, attempt, error);
        throw e;
      }
      await store.planTileFailed(jobId, key, `tile ${key}: ${error}`);
      return { outcome: 'failed', jobId, tile: key, error };
    }
  }
  const outcome = await sendTile(store, jobId, ref, options.send, options.recordOptions);
  return { outcome: 'planned', jobId, tile: key, partitions: outcome.partitions, changed: outcome.changed, ...(outcome.finalize ? { finalize: true } : {}) };
}
