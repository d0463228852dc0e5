/**
 * What planning a multi-tile parcel job fanned out reads: five side-by-side tiles of the fan-out inputs, items
 * given by href and a GeoJSON parcel file large enough to be converted (no spatial index), all through a
 * storage scheme that counts. The jobs stage reads every item once and converts the parcel file once (one
 * pass over it, one indexed file written); each plan-tile reads its own tile's items only and never converts,
 * however often it is delivered (one tile twice at the same time, every tile again after it was recorded),
 * each delivery as a process of its own (what a process converted is forgotten in between). The tiles' setups
 * and partitions are those of the job prepared and planned in one go. A file that fails its checks in that
 * conversion rejects the job in the jobs stage.
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerLocalStorages } from '../../../functions/adapters/local/registerLocalStorages.ts';
import { planJob, prepareJob } from '../../../functions/core/engine/index.ts';
import { loadTilePlan } from '../../../functions/core/engine/tilePlans.ts';
import { FileStorage } from '../../../functions/core/io/fileStorage.ts';
import { acceptJob, planTileOf } from '../../../functions/core/lifecycle/index.ts';
import { forgetIndexedParcelFiles } from '../../../functions/core/ops/parcel-aggregate/indexParcelFile.ts';
import type { TiledSetup } from '../../../functions/core/ops/tiles/tiledSetup.ts';
import type { PartitionSpec } from '../../../functions/core/plan/types.ts';
import { makeFanoutInputs, type FanoutInputs } from '../../helpers/fanout/fanoutInputs.ts';
import { parcelSquaresGeoJson } from '../../helpers/fanout/parcelFanoutInputs.ts';
import { planningStore } from '../../helpers/planningStore.ts';
import { registerSchemeOverFiles } from '../../helpers/schemeOverFiles.ts';

const TILES = 5;
const BLOCKS = 2;

let dir: string;
let inputs: FanoutInputs;
let parcels: string;
let parcelBytes: number;
/** 20 × 20 squares of 150 m on each tile: past the size from which a file without index is converted. */
const parcelGeoJson = parcelSquaresGeoJson(TILES, BLOCKS, 20);
const itemReads = new Map<string, number>();
let parcelBytesRead = 0;
const indexedWrites: string[] = [];

beforeAll(async () => {
  registerLocalStorages();
  registerSchemeOverFiles('planreads', new FileStorage(), (read) => async (href, offset, length) => {
    const bytes = await read(href, offset, length);
    if (href === `planreads:/${parcels}`) parcelBytesRead += bytes.length;
    return bytes;
  }, {
    readAll: (href) => { if (href.endsWith('_L2A.json')) itemReads.set(href, (itemReads.get(href) ?? 0) + 1); },
    write: (href) => { if (href.endsWith('.fgb')) indexedWrites.push(href); },
  });
  dir = await mkdtemp(join(tmpdir(), 'eofn-tile-reads-'));
  inputs = await makeFanoutInputs(dir, BLOCKS, TILES);
  parcels = join(dir, 'parcels.geojson');
  await writeFile(parcels, parcelGeoJson);
  parcelBytes = (await stat(parcels)).size;
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function parcelJob(output: string) {
  const job = inputs.job(`planreads:/${dir}`, output, 'tile-reads');
  return { ...job, op: 'parcel-aggregate', params: { parcels: `planreads:/${parcels}`, idProperty: 'id', assets: ['red', 'nir'] } };
}

function resetCounts(): void {
  itemReads.clear();
  parcelBytesRead = 0;
  indexedWrites.length = 0;
}

describe('a parcel job planned fanned out, counted', () => {
  it('reads each item once in the jobs stage and once per plan-tile of its tile, and converts the parcel file once', async () => {
    // Prepare: the job prepared and planned in one go, for reference (its conversion is not counted)
    const output = `planreads:/${join(dir, 'out')}`;
    const job = parcelJob(output);
    const base = join(dir, 'job.json');
    const whole = await prepareJob(job, base);
    const wholePlan = planJob(whole, { memoryMb: 1769, minPartitions: 10 });
    forgetIndexedParcelFiles();
    resetCounts();
    const { store } = planningStore();
    const accepted = await acceptJob({ read: async () => ({ raw: job, base }), received: {} }, { store, memoryMbOf: () => 1769, minPartitions: 10, planFanOutTiles: 1 });
    if (accepted.outcome !== 'accepted' || accepted.work.kind !== 'plan-tiles') throw new Error(`expected plan-tiles, got ${JSON.stringify(accepted)}`);
    const jobsStage = { items: new Map(itemReads), passes: parcelBytesRead / parcelBytes, writes: [...indexedWrites] };
    resetCounts();
    const sent: PartitionSpec[] = [];
    // Each delivery as a function invocation of its own: nothing an earlier one converted is known.
    const deliver = (tile: string) => {
      forgetIndexedParcelFiles();
      return planTileOf({ kind: 'plan-tile', jobId: accepted.jobId, tile }, { store, minPartitions: 10, send: async (ps) => { sent.push(...ps); } });
    };
    const [first, ...rest] = accepted.work.tiles;
    // Act
    const results = await Promise.all([deliver(first), deliver(first)]);
    for (const tile of rest) results.push(await deliver(tile));
    for (const tile of accepted.work.tiles) results.push(await deliver(tile));
    // Assess
    expect(accepted.work.tiles).toHaveLength(TILES);
    expect(results.map((r) => r.outcome)).toEqual(Array(2 * TILES + 1).fill('planned'));
    expect(jobsStage.items.size).toBe(2 * TILES);
    expect([...jobsStage.items.values()]).toEqual(Array(2 * TILES).fill(1));
    expect(jobsStage.passes).toBeGreaterThanOrEqual(1);
    expect(jobsStage.passes).toBeLessThan(1.1);
    expect(jobsStage.writes).toEqual([expect.stringMatching(/\/out\/_eofn\/parcels-[0-9a-f]{12}\.fgb$/)]);
    const list = whole.setup as TiledSetup;
    const firstItems = new Set(list.tiles.find((t) => t.key === first)!.items);
    expect([...itemReads.keys()].sort()).toEqual([...jobsStage.items.keys()].sort());
    for (const [href, count] of itemReads) expect([href, count]).toEqual([href, [...firstItems].some((id) => href.endsWith(`/${id}.json`)) ? 2 : 1]);
    expect(parcelBytesRead).toBe(0);
    expect(indexedWrites).toEqual([]);
    // The same tiles as planned in one go: setups (the indexed file and its warning) and partitions
    for (const tile of list.tiles) {
      const ref = (await store.plannedTile(accepted.jobId, tile.key))!;
      expect((await loadTilePlan(ref.href, ref.digest)).tile.setup).toEqual(tile.setup);
    }
    const byId = (a: PartitionSpec, b: PartitionSpec) => a.id.localeCompare(b.id);
    expect([...new Map(sent.map((p) => [p.id, p])).values()].sort(byId)).toEqual([...wholePlan.partitions].sort(byId));
    expect((list.tiles[0].setup as { parcels: { warning?: string } }).parcels.warning).toMatch(/has no spatial index: read once in prepare \(2000 features/);
  }, 120_000);

  it('rejects the job in the jobs stage when the parcel file it converts fails its checks, before any tile is planned', async () => {
    // Prepare: one parcel id twice
    const bad = join(dir, 'parcels-duplicate.geojson');
    await writeFile(bad, parcelGeoJson.replace('"id":"t0-0-1"', '"id":"t0-0-0"'));
    const job = { ...parcelJob(`planreads:/${join(dir, 'out-bad')}`), id: 'tile-reads-bad' };
    job.params = { ...job.params, parcels: `planreads:/${bad}` };
    const { store } = planningStore();
    const recorded: string[][] = [];
    store.recordInvalid = async (_id, _op, problems) => { recorded.push(problems); };
    forgetIndexedParcelFiles();
    // Act
    const accepted = await acceptJob({ read: async () => ({ raw: job, base: join(dir, 'job.json') }), received: {} }, { store, memoryMbOf: () => 1769, planFanOutTiles: 1 });
    // Assess
    expect(accepted).toMatchObject({ outcome: 'invalid', jobId: 'tile-reads-bad', problems: [expect.stringMatching(/parcels-duplicate\.geojson: .*t0-0-0/)] });
    expect(recorded).toHaveLength(1);
  });
});
