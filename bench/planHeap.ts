/**
 * `npm run bench -- plan-heap`: what the jobs stage holds while it sends a multi-tile job's partitions, and
 * what each partition's function parses, before and after plans were stored per tile. The fan-out inputs
 * (`--blocks=72 --tiles=4`: 4 × 72² = 20,736 partitions of one 16-px block) are planned three ways in this
 * process, with local files and a store in memory, no queue: as before (`planJob` of the whole job, every
 * spec held while the messages go out in chunks of 2,000, the plan inside `prepared.json`), tile after tile
 * in the jobs function (`acceptJob` + `sendTile`), and fanned out (`planTileOf` per tile). The heap is read
 * after a full GC inside each chunk's send, so it is what is held, not what is garbage yet.
 *
 * @example
 * npm run bench -- plan-heap
 * npx node bench/planHeap.ts --blocks=72 --tiles=4
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { registerLocalStorages } from '../functions/adapters/local/registerLocalStorages.ts';
import { planJob, prepareJob, storePrepared } from '../functions/core/engine/index.ts';
import { acceptJob, planTileOf, sendTile, type JobStateStore, type NewJob, type PlannedTile } from '../functions/core/lifecycle/index.ts';
import type { PartitionSpec } from '../functions/core/plan/types.ts';
import { makeFanoutInputs } from '../test/helpers/fanout/fanoutInputs.ts';

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;
const MB = 2 ** 20;

export interface PlanHeapReport {
  partitions: number;
  tiles: number;
  baselineMb: number;
  /** Heap held above the baseline while the partitions were sent (MB). */
  heldMb: { before: number; tileByTile: number; fannedOut: number };
  /** Bytes a partition's function parses: `prepared.json` (plan included) before; `prepared.json` and one tile's plan after. */
  parsedBytes: { before: number; after: number };
  load: number;
}

export async function benchPlanHeap(argv: string[] = []): Promise<PlanHeapReport> {
  const { values } = parseArgs({ args: argv, strict: false, options: { blocks: { type: 'string' }, tiles: { type: 'string' } } });
  const blocks = Number(values.blocks ?? 72);
  const tileCount = Number(values.tiles ?? 4);
  const dir = await mkdtemp(join(tmpdir(), 'eofn-plan-heap-'));
  try {
    registerLocalStorages();
    const inputs = await makeFanoutInputs(dir, blocks, tileCount);
    const base = join(dir, 'job.json');
    await writeFile(base, '{}');
    const options = { memoryMb: 1769, minPartitions: inputs.partitions, limits: { maxPartitions: 10 * inputs.partitions } };
    console.log(`plan-heap: ${inputs.partitions.toLocaleString('en')} partitions over ${tileCount} tiles, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg()[0].toFixed(1)}`);
    // Each way's baseline is the heap just before it starts: what an earlier way left (caches) is not counted.
    let baseline = heldNow();
    const firstBaseline = baseline;

    // Before: the whole plan, held while its messages go out a chunk at a time.
    let peak = 0;
    {
      const prepared = await prepareJob(inputs.job('.', join(dir, 'before'), 'before'), base);
      const plan = planJob(prepared, options);
      await storePrepared(prepared, plan);
      await sendInChunks(plan.partitions, () => { peak = Math.max(peak, heldNow()); });
    }
    const before = peak - baseline;
    const parsedBefore = (await stat(join(dir, 'before/_eofn/prepared.json'))).size;

    // After, in the jobs function: tile after tile.
    peak = 0;
    baseline = heldNow();
    const { store } = mapStore();
    const accepted = await acceptJob({ read: async () => ({ raw: inputs.job('.', join(dir, 'after'), 'after'), base }), received: {} }, { store, memoryMbOf: () => options.memoryMb, minPartitions: options.minPartitions, limits: options.limits });
    if (accepted.outcome !== 'accepted' || accepted.work.kind !== 'tiles') throw new Error(`expected a tiled plan, got ${accepted.outcome}`);
    for (const tile of accepted.work.tiles) await sendTile(store, 'after', tile, (ps) => sendInChunks(ps, () => { peak = Math.max(peak, heldNow()); }));
    const tileByTile = peak - baseline;
    const largestTile = Math.max(...await Promise.all(accepted.work.tiles.map(async (t) => (await stat(new URL(`file://${t.href}`))).size)));
    const parsedAfter = (await stat(join(dir, 'after/_eofn/prepared.json'))).size + largestTile;

    // After, fanned out: one plan-tile at a time (here in one process, one after the other).
    peak = 0;
    baseline = heldNow();
    const fan = mapStore();
    const fanned = await acceptJob({ read: async () => ({ raw: inputs.job('.', join(dir, 'fan'), 'fan'), base }), received: {} }, { store: fan.store, memoryMbOf: () => options.memoryMb, minPartitions: options.minPartitions, limits: options.limits, planFanOutTiles: 1 });
    if (fanned.outcome !== 'accepted' || fanned.work.kind !== 'plan-tiles') throw new Error('expected plan-tiles');
    for (const tile of fanned.work.tiles) {
      await planTileOf({ kind: 'plan-tile', jobId: 'fan', tile }, { store: fan.store, minPartitions: options.minPartitions, limits: options.limits, send: (ps) => sendInChunks(ps, () => { peak = Math.max(peak, heldNow()); }) });
    }
    const fannedOut = peak - baseline;

    const report: PlanHeapReport = {
      partitions: inputs.partitions, tiles: tileCount, baselineMb: round(firstBaseline), heldMb: { before: round(before), tileByTile: round(tileByTile), fannedOut: round(fannedOut) },
      parsedBytes: { before: parsedBefore, after: parsedAfter }, load: loadavg()[0],
    };
    console.log(`jobs stage, heap held while sending, above the heap before planning (${report.baselineMb} MB): before ${report.heldMb.before} MB; tile by tile ${report.heldMb.tileByTile} MB; fanned out ${report.heldMb.fannedOut} MB per plan-tile`);
    console.log(`a partition's function parses: before ${(parsedBefore / MB).toFixed(2)} MB (prepared.json with every partition); after ${(parsedAfter / MB).toFixed(2)} MB (prepared.json + its tile's plan) (load ${loadavg()[0].toFixed(1)})`);
    return report;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Messages built and "sent" 2,000 at a time, as `fanOutPartitions` does; `sample` runs while a chunk is held. */
async function sendInChunks(partitions: PartitionSpec[], sample: () => void): Promise<void> {
  for (let i = 0; i < partitions.length; i += 2000) {
    const messages = partitions.slice(i, i + 2000).map(({ id }) => JSON.stringify({ kind: 'partition', jobId: 'j', op: 'tile-reduce', partition: { id } }));
    sample();
    if (!messages.length) throw new Error('empty chunk');
    await new Promise((r) => setImmediate(r));
  }
}

function heldNow(): number {
  gc();
  return process.memoryUsage().heapUsed / MB;
}

function round(mb: number): number {
  return Math.round(mb * 10) / 10;
}

/** The planning verbs of a store, in memory (no partition runs here). */
export function mapStore() {
  const jobs = new Map<string, NewJob>();
  const tiles = new Map<string, Omit<PlannedTile, 'partitions'>>();
  const sent = new Set<string>();
  const unreached = async (): Promise<never> => { throw new Error('not part of planning'); };
  const store: JobStateStore = {
    acceptedJob: async () => undefined, recordInvalid: unreached,
    recordPlanned: async (job) => { jobs.set(job.jobId, job); return 'created'; },
    startJob: async () => undefined,
    plannedJob: async (id) => { const j = jobs.get(id)!; return { op: j.op, status: 'RUNNING', preparedRef: j.preparedRef, preparedDigest: j.preparedDigest }; },
    recordTile: async (id, { partitions: _p, ...tile }) => {
      const known = tiles.has(`${id} ${tile.key}`);
      tiles.set(`${id} ${tile.key}`, tile);
      return { changed: !known, sent: sent.has(`${id} ${tile.key}`) };
    },
    tileSent: async (id, key) => { sent.add(`${id} ${key}`); },
    plannedTile: async (id, key) => tiles.get(`${id} ${key}`),
    planTileFailed: unreached, startPartition: unreached, partitionSucceeded: unreached, partitionFailed: unreached,
    startFinalize: unreached, finishJob: unreached, finalizeFailed: unreached, status: unreached,
  };
  return { store };
}

if (import.meta.main) await benchPlanHeap(process.argv.slice(2));
