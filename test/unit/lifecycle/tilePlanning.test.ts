/**
 * A multi-tile job planned a tile at a time (three side-by-side tiles of the fan-out inputs, 12 partitions),
 * over a store that keeps its records in a map: the plan is the one `planJob` makes of the whole job, split
 * by tile; `prepared.json` holds the tile list and no partition; a partition's function loads its own
 * tile's plan and no other; plan-tile messages delivered twice record each tile once.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerLocalStorages } from '../../../functions/adapters/local/registerLocalStorages.ts';
import { loadPrepared, planJob, prepareJob } from '../../../functions/core/engine/index.ts';
import { NotInPlanError } from '../../../functions/core/engine/plannedPartition.ts';
import { partitionToRun } from '../../../functions/core/engine/tiledWork.ts';
import { loadTilePlan } from '../../../functions/core/engine/tilePlans.ts';
import { acceptJob, planTileOf, sendTile } from '../../../functions/core/lifecycle/index.ts';
import type { PartitionSpec } from '../../../functions/core/plan/types.ts';
import { makeFanoutInputs, type FanoutInputs } from '../../helpers/fanout/fanoutInputs.ts';
import { planningStore } from '../../helpers/planningStore.ts';

let dir: string;
let inputs: FanoutInputs;

beforeAll(async () => {
  registerLocalStorages();
  dir = await mkdtemp(join(tmpdir(), 'eofn-tile-plans-'));
  inputs = await makeFanoutInputs(dir, 2, 3);
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const inline = (job: unknown) => ({ read: async () => ({ raw: job, base: join(dir, 'job.json') }), received: { kind: 'job', job } });

describe('a multi-tile job planned a tile at a time', () => {
  it('stores each tile plan apart and the tile list without partitions; the plan is planJob\'s, split by tile', async () => {
    // Prepare
    const { store, jobs } = planningStore();
    const job = inputs.job('.', join(dir, 'out-tiles'), 'tiles-in-one');
    const whole = planJob(await prepareJob(job, join(dir, 'job.json')), { memoryMb: 1769, minPartitions: 12 });
    // Act
    const accepted = await acceptJob(inline(job), { store, memoryMbOf: () => 1769, minPartitions: 12, planFanOutTiles: 4 });
    const sent: PartitionSpec[] = [];
    if (accepted.outcome !== 'accepted' || accepted.work.kind !== 'tiles') throw new Error(`expected tiles, got ${JSON.stringify(accepted)}`);
    for (const tile of accepted.work.tiles) await sendTile(store, accepted.jobId, tile, async (ps) => { sent.push(...ps); });
    const stored = await loadPrepared(jobs.get('tiles-in-one')!.preparedRef, jobs.get('tiles-in-one')!.preparedDigest);
    // Assess
    expect(whole.partitions).toHaveLength(12);
    expect(sent).toEqual(whole.partitions);
    expect(jobs.get('tiles-in-one')!.total).toBe(12);
    expect(jobs.get('tiles-in-one')!.fannedOut).toBeUndefined();
    expect(stored.tilePlans).toBe(true);
    expect(stored.plan.partitions).toEqual([]);
    expect(stored.plan.mergePeakBytes).toBe(whole.mergePeakBytes);
    expect((stored.prepared.setup as { tiles: { key: string; setup?: unknown }[] }).tiles.map((t) => [t.key, t.setup])).toEqual([['33TWM', undefined], ['33TXM', undefined], ['33TYM', undefined]]);
    for (const key of ['33TWM', '33TXM', '33TYM']) expect((await stat(join(dir, 'out-tiles/_eofn/plan', `${key}.json`))).size).toBeGreaterThan(0);
  });

  it('keeps the submission open until the tiles planned here are recorded and sent, so that a death between tiles is sent again', async () => {
    // Prepare
    const { store } = planningStore();
    const log: string[] = [];
    const submission = { begin: async (id: string) => { log.push(`begin ${id}`); }, end: async (id: string) => { log.push(`end ${id}`); } };
    const job = inputs.job('.', join(dir, 'out-open'), 'tiles-open');
    // Act
    const accepted = await acceptJob(inline(job), { store, memoryMbOf: () => 1769, minPartitions: 12, planFanOutTiles: 4, submission });
    if (accepted.outcome !== 'accepted' || accepted.work.kind !== 'tiles') throw new Error(`expected tiles, got ${JSON.stringify(accepted)}`);
    const before = [...log];
    for (const tile of accepted.work.tiles) {
      await sendTile(store, accepted.jobId, tile, async () => undefined);
      log.push(`tile ${tile.key}`);
    }
    await accepted.sent();
    // Assess
    expect(before).toEqual(['begin tiles-open']);
    expect(log).toEqual(['begin tiles-open', 'tile 33TWM', 'tile 33TXM', 'tile 33TYM', 'end tiles-open']);
  });

  it('runs a partition with its own tile\'s plan, checked against the recorded digest, and no other tile\'s', async () => {
    // Prepare
    const { store, jobs } = planningStore();
    const job = inputs.job('.', join(dir, 'out-run'), 'tiles-run');
    const accepted = await acceptJob(inline(job), { store, memoryMbOf: () => 1769, minPartitions: 12 });
    if (accepted.outcome !== 'accepted' || accepted.work.kind !== 'tiles') throw new Error('expected tiles');
    for (const tile of accepted.work.tiles) await sendTile(store, accepted.jobId, tile, async () => undefined);
    const stored = await loadPrepared(jobs.get('tiles-run')!.preparedRef, jobs.get('tiles-run')!.preparedDigest);
    const asked: string[] = [];
    const loaded: string[] = [];
    const tileRefOf = (key: string) => { asked.push(key); return store.plannedTile('tiles-run', key); };
    const load = (href: string, digest: string) => { loaded.push(href); return loadTilePlan(href, digest); };
    const id = (await loadTilePlan(accepted.work.tiles[1].href, accepted.work.tiles[1].digest)).plan.partitions[2].id;
    // Act
    const { prepared, partition } = await partitionToRun(stored, 'tiles-run', id, tileRefOf, load);
    const forged = partitionToRun(stored, 'tiles-run', '33TZM-r00000-c00000-16x16', tileRefOf, load);
    const changed = partitionToRun(stored, 'tiles-run', id, async (key) => ({ ...(await store.plannedTile('tiles-run', key))!, digest: '0'.repeat(64) }), load);
    // Assess
    expect(partition.id).toBe(id);
    expect(partition.tile).toBe('33TXM');
    expect(asked).toEqual(['33TXM']);
    expect(loaded).toEqual([join(dir, 'out-run/_eofn/plan/33TXM.json')]);
    expect((prepared.setup as { tiles: { key: string }[] }).tiles.map((t) => t.key)).toEqual(['33TXM']);
    await expect(forged).rejects.toThrow(NotInPlanError);
    await expect(changed).rejects.toThrow(/does not match/);
  });

  it('fanned out: the jobs stage records the tile list, each plan-tile records its tile once, twice delivered', async () => {
    // Prepare
    const { store, jobs } = planningStore();
    const job = inputs.job('.', join(dir, 'out-fan'), 'tiles-fanned');
    const whole = planJob(await prepareJob(job, join(dir, 'job.json')), { memoryMb: 1769, minPartitions: 12 });
    // Act
    const accepted = await acceptJob(inline(job), { store, memoryMbOf: () => 1769, minPartitions: 12, planFanOutTiles: 1 });
    if (accepted.outcome !== 'accepted' || accepted.work.kind !== 'plan-tiles') throw new Error('expected plan-tiles');
    const sent: PartitionSpec[] = [];
    const results = [];
    for (const tile of [...accepted.work.tiles, ...accepted.work.tiles]) {
      results.push(await planTileOf({ kind: 'plan-tile', jobId: accepted.jobId, tile }, { store, minPartitions: 12, send: async (ps) => { sent.push(...ps); } }));
    }
    const prepared = JSON.parse(await readFile(join(dir, 'out-fan/_eofn/prepared.json'), 'utf8'));
    // Assess
    expect(accepted.work.tiles).toEqual(['33TWM', '33TXM', '33TYM']);
    expect(jobs.get('tiles-fanned')!.tiles).toEqual(['33TWM', '33TXM', '33TYM']);
    expect(jobs.get('tiles-fanned')!.fannedOut).toBe(true);
    expect(prepared.plan.partitions).toEqual([]);
    expect(results.map((r) => r.outcome === 'planned' && r.changed)).toEqual([true, true, true, false, false, false]);
    expect(jobs.get('tiles-fanned')!.total).toBe(12);
    expect(sent).toEqual(whole.partitions);
  });

  it('fanned out: a tile past its share of the job\'s ceilings fails the job before any of its partitions is sent', async () => {
    // Prepare
    const { store } = planningStore();
    const failed: string[] = [];
    store.planTileFailed = async (_id, _key, error) => { failed.push(error); return true; };
    const job = inputs.job('.', join(dir, 'out-refused'), 'tiles-refused');
    const accepted = await acceptJob(inline(job), { store, memoryMbOf: () => 1769, minPartitions: 12, planFanOutTiles: 1 });
    if (accepted.outcome !== 'accepted' || accepted.work.kind !== 'plan-tiles') throw new Error('expected plan-tiles');
    const sent: PartitionSpec[] = [];
    // Act: 10 partitions for the job are 3 per tile; each tile needs 4
    const result = await planTileOf({ kind: 'plan-tile', jobId: accepted.jobId, tile: '33TWM' }, { store, minPartitions: 12, limits: { maxPartitions: 10 }, send: async (ps) => { sent.push(...ps); } });
    // Assess
    expect(result).toMatchObject({ outcome: 'failed', tile: '33TWM' });
    expect(failed).toEqual([expect.stringMatching(/^tile 33TWM: .*4 partitions, more than the limit of 3/)]);
    expect(sent).toEqual([]);
  });

  it('fanned out with a claim (a DIAS): a tile held by another call is left to it; a free one is claimed before it is planned', async () => {
    // Prepare
    const { store, jobs } = planningStore();
    const job = inputs.job('.', join(dir, 'out-claimed'), 'tiles-claimed');
    const accepted = await acceptJob(inline(job), { store, memoryMbOf: () => 1769, minPartitions: 12, planFanOutTiles: 1 });
    if (accepted.outcome !== 'accepted' || accepted.work.kind !== 'plan-tiles') throw new Error('expected plan-tiles');
    const claims: string[] = [];
    const claim = {
      start: async (_id: string, key: string) => { claims.push(key); return key === '33TXM' ? undefined : 1; },
      failed: async (): Promise<never> => { throw new Error('no attempt fails here'); },
    };
    const sent: PartitionSpec[] = [];
    // Act
    const results = [];
    for (const tile of accepted.work.tiles) {
      results.push(await planTileOf({ kind: 'plan-tile', jobId: accepted.jobId, tile }, { store, minPartitions: 12, send: async (ps) => { sent.push(...ps); }, claim }));
    }
    // Assess
    expect(claims).toEqual(['33TWM', '33TXM', '33TYM']);
    expect(results.map((r) => r.outcome)).toEqual(['planned', 'skipped', 'planned']);
    expect(results[1]).toMatchObject({ reason: 'another call is planning it' });
    expect(jobs.get('tiles-claimed')!.planned).toEqual(new Set(['33TWM', '33TYM']));
    expect(sent.every((p) => p.tile !== '33TXM')).toBe(true);
  });
});
