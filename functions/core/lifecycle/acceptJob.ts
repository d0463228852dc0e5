/**
 * Accepting a submitted job, the same on every deployment: read it, validate it, compare it with a job
 * already accepted under its id, prepare it, plan it for the memory its op's function has (which checks
 * that the merge fits), store the prepared job beside its output and record the plan. A job that is wrong
 * (invalid, unreadable, too large, not runnable here) is recorded INVALID with its problems; sending its
 * partitions is left to the adapter, which knows the platform's queues.
 *
 * A multi-tile job is planned tile by tile: each tile's plan is stored apart (`_eofn/plan/<tile>.json`) and
 * only its numbers are kept, the job's ceilings are checked on their sums, and the adapter then records and
 * sends one tile at a time (`work.kind === 'tiles'`, `sendTile`). A job of more tiles than `planFanOutTiles`
 * is recorded with its tile list alone, and the adapter sends one `plan-tile` message per tile (`planTileOf`).
 *
 * @example
 * const result = await acceptJob({ read: () => readJobMessage(msg), received: msg }, { store, memoryMbOf: () => 1769 });
 * if (result.outcome === 'accepted' && result.work.kind === 'partitions') await sendPartitions(result.work.partitions);
 */
import { createHash } from 'node:crypto';
import { InvalidJobError, isPermanent } from '../errors.ts';
import { canonicalJson, contentHash, validateJob, type ValidJob } from '../contract/validateJob.ts';
import type { JobLimits } from '../plan/jobLimits.ts';
import { prepareJob, type PreparedJob } from '../engine/prepareJob.ts';
import { planJob, type JobPlan, type PlanJobOptions } from '../engine/planJob.ts';
import { storePrepared } from '../engine/storedJob.ts';
import { addTile, checkTiledJob, NO_TILES, planTile } from '../engine/planTile.ts';
import { storeTilePlan } from '../engine/tilePlans.ts';
import { DEFAULT_JOB_LIMITS, JobTooLargeError } from '../plan/jobLimits.ts';
import { DEFAULT_MEMORY_MB } from '../plan/memoryModel.ts';
import type { PartitionSpec } from '../plan/types.ts';
import { isTiled, tileList, type TiledSetup } from '../ops/tiles/tiledSetup.ts';
import { tiledModel } from '../ops/tiles/withTiles.ts';
import type { JobStateStore, RecordOptions } from './jobStateStore.ts';

export interface AcceptSource {
  /** Reads the job: inline, or from the href a message names. */
  read(): Promise<{ raw: unknown; base?: string }>;
  /** What arrived, to name a job that cannot even be read (`invalid-<hash>`). */
  received: unknown;
}

export interface AcceptOptions {
  store: JobStateStore;
  /** Memory of the op's function in MB (undefined: the default budget). */
  memoryMbOf(op: string): number | undefined;
  minPartitions?: number;
  /** The deployment's ceilings; the merge's ceiling is the finalize function's memory. */
  limits?: Partial<JobLimits>;
  /** Why this deployment cannot run the job, if it cannot (e.g. its op is not deployed here). */
  refuse?(job: ValidJob): string | undefined;
  recordOptions?(job: ValidJob): RecordOptions;
  /**
   * Brackets the slow part (prepare, plan, store) of a job not seen before: a DIAS records the submission
   * with a lease, so that one whose function dies planning it is sent again.
   */
  submission?: { begin(jobId: string): Promise<void>; end(jobId: string): Promise<void> };
  /** A multi-tile job of more tiles than this is planned one `plan-tile` message per tile (undefined: never). */
  planFanOutTiles?: number;
}

/** A tile's plan as stored by the jobs stage, to be recorded and sent (`sendTile`). */
export interface StoredTile {
  key: string;
  href: string;
  digest: string;
}

/** What the adapter sends for an accepted job. */
export type AcceptedWork =
  /** One grid: the plan's partitions, as always. */
  | { kind: 'partitions'; partitions: PartitionSpec[] }
  /** Many tiles, planned here: each tile's stored plan, to record and send one after the other. */
  | { kind: 'tiles'; tiles: StoredTile[] }
  /** Many tiles, planned apart: one `plan-tile` message per tile. */
  | { kind: 'plan-tiles'; tiles: string[] };

export type Acceptance =
  | { outcome: 'accepted'; jobId: string; prepared: PreparedJob; plan: JobPlan; work: AcceptedWork }
  /** The same job was accepted before: nothing to do. */
  | { outcome: 'known'; jobId: string }
  /** A different job holds the id. */
  | { outcome: 'conflict'; jobId: string }
  | { outcome: 'invalid'; jobId: string; op: string; problems: string[] };

export async function acceptJob(source: AcceptSource, options: AcceptOptions): Promise<Acceptance> {
  const { store } = options;
  let raw: unknown;
  let begun: string | undefined;
  try {
    const read = await source.read();
    raw = read.raw;
    const valid = validateJob(raw);
    const hash = contentHash(valid);
    const known = await store.acceptedJob(valid.id);
    if (known && known.hash !== hash) return { outcome: 'conflict', jobId: valid.id };
    if (known?.settledIn) return { outcome: 'known', jobId: valid.id };
    await options.submission?.begin(valid.id);
    begun = valid.id;

    const prepared = await prepareJob(raw, read.base, { deferTilesOver: options.planFanOutTiles });
    const refused = options.refuse?.(prepared.job);
    if (refused) return await invalid(raw, [refused]);
    const planOptions = { memoryMb: options.memoryMbOf(prepared.job.op), minPartitions: options.minPartitions, limits: options.limits };
    const planned: Planned = isTiled(prepared.setup) ? await planByTile(prepared, planOptions) : { plan: planJob(prepared, planOptions) };
    const stored = await storePrepared(planned.stored ?? prepared, planned.plan, { tilePlans: !!planned.tiles });
    const { plan } = planned;
    const tiles = planned.tiles?.map((t) => t.key);
    const fannedOut = !!planned.tiles && !planned.tiles.every((t) => t.href);
    const outcome = await store.recordPlanned({
      jobId: plan.jobId, op: plan.op, outputHref: prepared.outputHref, preparedRef: stored.href, preparedDigest: stored.digest,
      hash, memoryMb: plan.memoryMb, ...(tiles ? { tiles, ...(fannedOut ? { fannedOut } : {}) } : { partitions: plan.partitions }),
    }, options.recordOptions?.(prepared.job));
    if (outcome === 'conflict') return { outcome, jobId: plan.jobId };
    if (outcome === 'same') return { outcome: 'known', jobId: plan.jobId };
    const work: AcceptedWork = !planned.tiles ? { kind: 'partitions', partitions: plan.partitions }
      : fannedOut ? { kind: 'plan-tiles', tiles: tiles! } : { kind: 'tiles', tiles: planned.tiles as StoredTile[] };
    return { outcome: 'accepted', jobId: plan.jobId, prepared, plan, work };
  } catch (e) {
    if (!isPermanent(e)) {
      begun = undefined; // a failure a retry may fix leaves the submission open: the platform sends it again
      throw e;
    }
    return await invalid(raw ?? source.received, e instanceof InvalidJobError ? e.problems : [(e as Error).message]);
  } finally {
    if (begun) await options.submission?.end(begun);
  }

  async function invalid(given: unknown, problems: string[]): Promise<Acceptance> {
    const jobId = invalidJobId(given);
    const op = String((given as { op?: unknown } | null)?.op ?? 'unknown');
    await store.recordInvalid(jobId, op, problems);
    return { outcome: 'invalid', jobId, op, problems };
  }
}

/**
 * A multi-tile job's plan, a tile at a time: each tile's partitions are stored and dropped, their numbers
 * summed and the job's ceilings checked on the sums before anything is recorded or sent. A job prepared as
 * its tile list (planning fanned out) stores nothing here: its tiles are planned by `plan-tile` messages.
 */
interface Planned {
  plan: JobPlan;
  /** The prepared job as stored: a multi-tile job's tile list without the tiles' setups. */
  stored?: PreparedJob;
  /** A multi-tile job's tiles, with their stored plans (none when planning is fanned out). */
  tiles?: (StoredTile | { key: string; href?: undefined })[];
}

async function planByTile(prepared: PreparedJob, opts: PlanJobOptions): Promise<Required<Planned>> {
  const setup = prepared.setup as TiledSetup;
  const memoryMb = opts.memoryMb ?? DEFAULT_MEMORY_MB;
  const empty: JobPlan = { jobId: prepared.job.id, op: prepared.job.op, memoryMb, partitions: [], mergePeakBytes: 0, model: { tiles: setup.tiles.map((t) => t.key).join(',') } };
  const stored = { ...prepared, setup: tileList(setup) };
  if (setup.tiles.some((t) => t.setup === undefined)) return { plan: empty, stored, tiles: setup.tiles.map(({ key }) => ({ key })) };
  const limits = { ...DEFAULT_JOB_LIMITS, ...opts.limits };
  let sums = NO_TILES;
  let model: Record<string, number | string> = {};
  const idle: string[] = [];
  const tiles: StoredTile[] = [];
  for (const tile of setup.tiles) {
    const plan = planTile(prepared, tile, setup.tiles.length, opts);
    sums = addTile(sums, plan, prepared, memoryMb);
    if (!plan.partitions.length) idle.push(tile.key);
    if (!Object.keys(model).length) model = plan.model;
    tiles.push({ key: tile.key, ...(await storeTilePlan(prepared.outputHref, { tile, plan })) });
  }
  try {
    checkTiledJob(sums, limits);
  } catch (e) {
    if (e instanceof JobTooLargeError) e.message += `\nscale: ${sums.tiles} tiles, ${sums.partitions.toLocaleString('en-US')} partitions, est. USD ${sums.costUsd.toFixed(2)} (planned tile by tile)`;
    throw e;
  }
  return {
    plan: { ...empty, mergePeakBytes: sums.mergePeakBytes, mergeScratchBytes: sums.mergeScratchBytes, model: tiledModel(model, setup.tiles.map((t) => t.key), idle) },
    stored, tiles,
  };
}

/** The id an invalid submission is recorded under: its own, or a hash of what arrived. */
export function invalidJobId(given: unknown): string {
  const id = (given as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id ? id : `invalid-${createHash('sha256').update(canonicalJson(given)).digest('hex').slice(0, 16)}`;
}
